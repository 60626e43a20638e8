import { join } from "node:path";
import { ChannelProjection } from "../domain/channel-projection.ts";
import { openSalesLog, type SalesLogKey } from "../replication/documents/sales-log.ts";
import { AtomicNodeFSStorageAdapter } from "../replication/storage/atomic-nodefs-storage-adapter.ts";
import { BENCH_STORE_ID } from "./catalog.ts";
import { type InteractiveChild, startInteractiveChild } from "./child-process.ts";
import { type Figure, figureResult, summarise } from "./figures.ts";
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

/**
 * Sales the register makes online before the server goes away: a register comes back from an
 * outage with its sync code warm from the day's earlier uploads, not from a fresh start.
 */
const ONLINE_SALES = 20;

/**
 * Lets both processes finish what the last step left (saves, sync replies) and collects this
 * process's garbage (when the runner exposes gc) before a clock starts.
 */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 250));
  (globalThis as { gc?: () => void }).gc?.();
}

type Run = {
  readonly ours: number;
  readonly baseline: number;
  readonly appendMs: number;
  /** From the go to the server's copy of the log holding every event. */
  readonly syncedMs: number;
  /** Of which the server's Automerge receive (apply the register's changes). */
  readonly receiveMs: number;
  /** Commands (Automerge changes) and events the register recorded offline. */
  readonly commands: number;
  readonly events: number;
};

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
      String(ONLINE_SALES),
      String(sales),
    ]);
    const online = await register.nextReport<Extract<UploadRegisterReport, { online: true }>>();

    const projection = new ChannelProjection();
    const onServer = await openSalesLog(hub.repo, key);
    stopFollowing = followSalesLog(onServer, key, projection);
    await waitUntil(
      () => projection.eventCount === online.events,
      "the server to ingest the sales made online",
    );
    register.send("cut");
    const ready = await register.nextReport<Extract<UploadRegisterReport, { ready: true }>>();
    const events = ready.events;
    const all = online.events + events;
    let started = 0;
    let syncedMs = 0;
    let receiveMs = 0;
    const onChange = () => {
      if (syncedMs === 0 && onServer.doc().events.length === all) {
        syncedMs = performance.now() - started;
      }
    };
    const onMetrics = (metrics: { type: string; durationMillis?: number }) => {
      if (metrics.type === "receive-sync-message") receiveMs += metrics.durationMillis ?? 0;
    };
    const measureOurs = async (): Promise<number> => {
      await settle();
      onServer.on("change", onChange);
      hub.repo.on("doc-metrics", onMetrics);
      started = performance.now();
      register?.send("heal");
      await waitUntil(() => projection.eventCount === all, "the server to ingest every event");
      const elapsed = performance.now() - started;
      onServer.off("change", onChange);
      hub.repo.off("doc-metrics", onMetrics);
      return elapsed;
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
    return {
      ours,
      baseline: baselineAfter,
      appendMs: ready.appendMs,
      syncedMs,
      receiveMs,
      commands: ready.commands,
      events,
    };
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
    const measured: Run[] = [];
    // A retail server runs for days: one uncounted round first, so the counted ones measure
    // this process's code warm (JIT and WebAssembly tiers), for ours and the baseline alike.
    const warmUp = await measureOnce(sales, 0);
    for (let i = 0; i < runs; i++) {
      measured.push(await measureOnce(sales, i));
    }
    const { commands, events } = warmUp;
    const median = (pick: (run: Run) => number) => summarise(measured.map(pick)).median.toFixed(0);
    return figureResult({
      id: "upload",
      title: `Upload ${sales.toLocaleString("en")} offline sales (${events.toLocaleString("en")} events)`,
      unit: "ms",
      ours: measured.map((run) => run.ours),
      baseline: measured.map((run) => run.baseline),
      baselineName: "one JSON POST",
      goal: "<= 1 s and <= 3x baseline",
      goalMet: (o, b) => o.median <= 1_000 && b !== null && o.median <= 3 * b.median,
      notes: [
        `${commands} commands appended offline as ${commands} changes in ` +
          `${median((run) => run.appendMs)} ms (median; not part of the figure)`,
        `ours by phase (medians): the server's copy holds every event after ${median((run) => run.syncedMs)} ms ` +
          `(of which its Automerge receive ${median((run) => run.receiveMs)} ms; the rest is the reconnect ` +
          `and the register generating its sync message), then reading, validating and ingesting ` +
          `${median((run) => run.ours - run.syncedMs)} ms`,
        `one uncounted warm-up round first (ours ${warmUp.ours.toFixed(0)} ms, baseline ` +
          `${warmUp.baseline.toFixed(0)} ms), as a retail server's code is warm; garbage collected before each clock starts`,
        `the register in a process of its own, selling ${ONLINE_SALES} sales online before the outage; ` +
          "both clocks start when it is told to go (which goes first alternates)",
        "ours: heal the link -> sync over WebSocket -> server reads and validates the log -> " +
          "every event ingested into the channel projection",
        "baseline: JSON.stringify, POST, JSON.parse, validate every event, ingest",
      ],
    });
  },
};
