import { join } from "node:path";
import { ChannelProjection } from "../domain/channel-projection.ts";
import type { PosEvent } from "../domain/events.ts";
import {
  appendToSalesLog,
  openSalesLog,
  type SalesLogKey,
} from "../replication/documents/sales-log.ts";
import { PartitionableNetworkAdapter } from "../replication/network/partitionable-network-adapter.ts";
import { AtomicNodeFSStorageAdapter } from "../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../replication/storage/shutdown-repo.ts";
import { BENCH_STORE_ID } from "./catalog.ts";
import { type Figure, figureResult, summarise } from "./figures.ts";
import { offlineSales } from "./sales.ts";
import { followSalesLog, parseEventArray } from "./sales-intake.ts";
import {
  scratchDirectory,
  startClientRepo,
  startHttpServer,
  startWebSocketHub,
  waitForPeer,
  waitUntil,
} from "./support.ts";

/**
 * Figure 2, upload after an offline period: one register appends its offline sales to its
 * sales log (one Automerge change per command) while its link is cut; the link heals and the
 * clock runs until the retail server's projection has ingested every event. Baseline: the same
 * events POSTed as one JSON array over HTTP into a fresh projection.
 */

const key: SalesLogKey = { storeId: BENCH_STORE_ID, registerId: "r1", businessDay: "2024-05-01" };

async function ours(
  batches: readonly (readonly PosEvent[])[],
  events: number,
): Promise<{ ms: number; appendMs: number }> {
  const scratch = await scratchDirectory("upload");
  const hub = await startWebSocketHub({
    storage: new AtomicNodeFSStorageAdapter(join(scratch.path, "server")),
  });
  let link: PartitionableNetworkAdapter | undefined;
  const register = startClientRepo({
    url: hub.url,
    storage: new AtomicNodeFSStorageAdapter(join(scratch.path, "register")),
    wrap: (socket) => {
      link = new PartitionableNetworkAdapter(socket, { transport: "restart" });
      return link;
    },
  });
  if (link === undefined) throw new Error("no link");
  const projection = new ChannelProjection();
  let stopFollowing = () => {};
  try {
    await waitForPeer(register);
    link.cut();
    const log = await openSalesLog(register, key);
    const appendStarted = performance.now();
    for (const batch of batches) appendToSalesLog(log, batch);
    const appendMs = performance.now() - appendStarted;
    const onServer = await openSalesLog(hub.repo, key);
    stopFollowing = followSalesLog(onServer, key, projection);

    const started = performance.now();
    link.heal();
    await waitUntil(() => projection.eventCount === events, "the server to ingest every event");
    return { ms: performance.now() - started, appendMs };
  } finally {
    stopFollowing();
    await shutdownRepo(register).catch(() => undefined);
    await hub.stop();
    await scratch.remove();
  }
}

async function baseline(
  batches: readonly (readonly PosEvent[])[],
  events: number,
): Promise<number> {
  let projection = new ChannelProjection();
  const server = await startHttpServer(async (_request, body) => {
    projection = new ChannelProjection();
    const ingested = projection.ingestAll(parseEventArray(body));
    return { status: 200, body: JSON.stringify({ ingested }) };
  });
  try {
    const all = batches.flat();
    const started = performance.now();
    const response = await fetch(`${server.url}/sales`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(all),
    });
    const answer = (await response.json()) as { ingested: number };
    const elapsed = performance.now() - started;
    if (answer.ingested !== events || projection.eventCount !== events) {
      throw new Error(`the baseline ingested ${answer.ingested} of ${events} events`);
    }
    return elapsed;
  } finally {
    await server.stop();
  }
}

export const upload: Figure = {
  id: "upload",
  title: "Upload after an offline period",
  async run({ quick, runs }) {
    const sales = quick ? 200 : 1_000;
    const batches = offlineSales(key.registerId, sales);
    const events = batches.reduce((sum, batch) => sum + batch.length, 0);
    const oursMs: number[] = [];
    const appendMs: number[] = [];
    const baselineMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const measured = await ours(batches, events);
      oursMs.push(measured.ms);
      appendMs.push(measured.appendMs);
      baselineMs.push(await baseline(batches, events));
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
        `${batches.length} commands appended offline as ${batches.length} changes in ` +
          `${append.median.toFixed(0)} ms (median; not part of the figure)`,
        "ours: heal the link -> sync over WebSocket -> server reads and validates the log -> " +
          "every event ingested into the channel projection",
        "baseline: JSON.stringify, POST, JSON.parse, validate every event, ingest",
      ],
    });
  },
};
