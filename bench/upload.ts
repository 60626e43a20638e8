import { join } from "node:path";
import { ChannelProjection } from "../domain/channel-projection.ts";
import { openSalesLog, type SalesLogKey } from "../replication/documents/sales-log.ts";
import { AtomicNodeFSStorageAdapter } from "../replication/storage/atomic-nodefs-storage-adapter.ts";
import { BENCH_STORE_ID } from "./catalog.ts";
import { type InteractiveChild, startInteractiveChild } from "./child-process.ts";
import { type Figure, figureResult, summarise } from "./figures.ts";
import { offlineSales } from "./sales.ts";
import { followSalesLog, parseEventArray } from "./sales-intake.ts";
import { scratchDirectory, startHttpServer, startWebSocketHub, waitUntil } from "./support.ts";
import type { UploadRegisterReport } from "./upload-register.ts";

/**
 * Figure 2, upload after an offline period. The register runs in a process of its own (a
 * register is a device of its own): it records its offline sales in its sales log (one Automerge
 * change per command) while its link is cut. Ours: the link heals and the clock runs until the
 * retail server side (this process) has ingested every event into its projection. Baseline: the
 * same register POSTs the same events as one JSON array over HTTP into a fresh projection. Both
 * clocks start when this process tells the register to go.
 */

const key: SalesLogKey = { storeId: BENCH_STORE_ID, registerId: "r1", businessDay: "2024-05-01" };

/** Lets both processes finish what the last step left (saves, sync replies) before a clock starts. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 250));

type Run = { readonly ours: number; readonly baseline: number; readonly appendMs: number };

async function measureOnce(sales: number, run: number): Promise<Run> {
  const scratch = await scratchDirectory("upload");
  const hub = await startWebSocketHub({
    storage: new AtomicNodeFSStorageAdapter(join(scratch.path, "server")),
  });
  let register: InteractiveChild | undefined;
  let stopFollowing = () => {};
  let baselineProjection = new ChannelProjection();
  const baselineServer = await startHttpServer(async (_request, body) => {
    baselineProjection = new ChannelProjection();
    const ingested = baselineProjection.ingestAll(parseEventArray(body));
    return { status: 200, body: JSON.stringify({ ingested }) };
  });
  try {
    register = await startInteractiveChild("upload-register", [
      hub.url,
      `${baselineServer.url}/sales`,
      scratch.path,
      key.storeId,
      key.registerId,
      key.businessDay,
      String(sales),
    ]);
    const ready = await register.nextReport<Extract<UploadRegisterReport, { ready: true }>>();
    const events = ready.events;

    const projection = new ChannelProjection();
    stopFollowing = followSalesLog(await openSalesLog(hub.repo, key), key, projection);
    const measureOurs = async (): Promise<number> => {
      await settle();
      const started = performance.now();
      register?.send("heal");
      await waitUntil(() => projection.eventCount === events, "the server to ingest every event");
      return performance.now() - started;
    };
    const measureBaseline = async (): Promise<number> => {
      if (register === undefined) throw new Error("no register");
      await settle();
      const started = performance.now();
      register.send("post");
      const posted = await register.nextReport<Extract<UploadRegisterReport, { posted: true }>>();
      const elapsed = performance.now() - started;
      if (posted.status !== 200 || baselineProjection.eventCount !== events) {
        throw new Error(
          `the baseline answered ${posted.status} and ingested ${baselineProjection.eventCount} of ${events} events`,
        );
      }
      return elapsed;
    };
    // Alternate which goes first, so neither always meets the warmer process.
    const baselineFirst = run % 2 === 1;
    const baseline = baselineFirst ? await measureBaseline() : 0;
    const ours = await measureOurs();
    const baselineAfter = baselineFirst ? baseline : await measureBaseline();
    return { ours, baseline: baselineAfter, appendMs: ready.appendMs };
  } finally {
    stopFollowing();
    await register?.stop();
    await baselineServer.stop();
    await hub.stop();
    await scratch.remove();
  }
}

export const upload: Figure = {
  id: "upload",
  title: "Upload after an offline period",
  async run({ quick, runs }) {
    const sales = quick ? 200 : 1_000;
    const batches = offlineSales(key.registerId, sales);
    const commands = batches.length;
    const events = batches.reduce((sum, batch) => sum + batch.length, 0);
    const oursMs: number[] = [];
    const appendMs: number[] = [];
    const baselineMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const measured = await measureOnce(sales, i);
      oursMs.push(measured.ours);
      appendMs.push(measured.appendMs);
      baselineMs.push(measured.baseline);
    }
    const append = summarise(appendMs);
    return figureResult({
      id: "upload",
      title: `Upload ${sales.toLocaleString("en")} offline sales (${events.toLocaleString("en")} events)`,
      unit: "ms",
      ours: oursMs,
      baseline: baselineMs,
      baselineName: "one JSON POST",
      goal: "<= 1 s and <= 3x baseline",
      goalMet: (o, b) => o.median <= 1_000 && b !== null && o.median <= 3 * b.median,
      notes: [
        `${commands} commands appended offline as ${commands} changes in ` +
          `${append.median.toFixed(0)} ms (median; not part of the figure)`,
        "the register in a process of its own; both clocks start when it is told to go (which goes first alternates)",
        "ours: heal the link -> sync over WebSocket -> server reads and validates the log -> " +
          "every event ingested into the channel projection",
        "baseline: JSON.stringify, POST, JSON.parse, validate every event, ingest",
      ],
    });
  },
};
