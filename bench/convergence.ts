import { join } from "node:path";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import { ChannelProjection } from "../domain/channel-projection.ts";
import type { PosEvent } from "../domain/events.ts";
import {
  appendToSalesLog,
  openSalesLog,
  type SalesLogDoc,
  type SalesLogKey,
} from "../replication/documents/sales-log.ts";
import { waitForHeads } from "../replication/documents/wait-for-heads.ts";
import { PartitionableNetworkAdapter } from "../replication/network/partitionable-network-adapter.ts";
import { AtomicNodeFSStorageAdapter } from "../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../replication/storage/shutdown-repo.ts";
import { BENCH_STORE_ID } from "./catalog.ts";
import { type Figure, figureResult } from "./figures.ts";
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
 * Figure 3, convergence: ten registers, each its own repo with its own storage, sell offline
 * while cut off; all links heal at once, and the clock runs until every sales log has the same
 * heads on the server as on its register and the server's journal holds every sale. Baseline:
 * the same events POSTed by ten concurrent HTTP clients into one projection.
 */

const BUSINESS_DAY = "2024-05-01";

function keyOf(registerId: string): SalesLogKey {
  return { storeId: BENCH_STORE_ID, registerId, businessDay: BUSINESS_DAY };
}

type Till = {
  readonly key: SalesLogKey;
  readonly repo: Repo;
  readonly link: PartitionableNetworkAdapter;
  readonly batches: readonly (readonly PosEvent[])[];
};

async function ours(tills: readonly Omit<Till, "repo" | "link">[], sales: number): Promise<number> {
  const scratch = await scratchDirectory("convergence");
  const hub = await startWebSocketHub({
    storage: new AtomicNodeFSStorageAdapter(join(scratch.path, "server")),
  });
  const projection = new ChannelProjection();
  const registers: Till[] = tills.map((till) => {
    let link: PartitionableNetworkAdapter | undefined;
    const repo = startClientRepo({
      url: hub.url,
      storage: new AtomicNodeFSStorageAdapter(join(scratch.path, till.key.registerId)),
      wrap: (socket) => {
        link = new PartitionableNetworkAdapter(socket, { transport: "restart" });
        return link;
      },
    });
    if (link === undefined) throw new Error("no link");
    return { ...till, repo, link };
  });
  const stops: (() => void)[] = [];
  try {
    await Promise.all(registers.map((register) => waitForPeer(register.repo)));
    for (const register of registers) register.link.cut();
    const pairs: [DocHandle<SalesLogDoc>, DocHandle<SalesLogDoc>][] = [];
    for (const register of registers) {
      const log = await openSalesLog(register.repo, register.key);
      for (const batch of register.batches) appendToSalesLog(log, batch);
      const onServer = await openSalesLog(hub.repo, register.key);
      stops.push(followSalesLog(onServer, register.key, projection));
      pairs.push([log, onServer]);
    }

    const started = performance.now();
    for (const register of registers) register.link.heal();
    await Promise.all(pairs.map((pair) => waitForHeads(pair, { timeoutMs: 60_000 })));
    await waitUntil(() => projection.journal().length === sales, "the journal to hold every sale");
    return performance.now() - started;
  } finally {
    for (const stop of stops) stop();
    for (const register of registers) await shutdownRepo(register.repo).catch(() => undefined);
    await hub.stop();
    await scratch.remove();
  }
}

async function baseline(
  tills: readonly Omit<Till, "repo" | "link">[],
  sales: number,
): Promise<number> {
  const projection = new ChannelProjection();
  const server = await startHttpServer(async (_request, body) => {
    const ingested = projection.ingestAll(parseEventArray(body));
    return { status: 200, body: JSON.stringify({ ingested }) };
  });
  try {
    const started = performance.now();
    await Promise.all(
      tills.map(async (till) => {
        const response = await fetch(`${server.url}/sales`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(till.batches.flat()),
        });
        if (!response.ok) throw new Error(`POST failed: ${await response.text()}`);
        await response.json();
      }),
    );
    const elapsed = performance.now() - started;
    if (projection.journal().length !== sales) throw new Error("the baseline lost sales");
    return elapsed;
  } finally {
    await server.stop();
  }
}

export const convergence: Figure = {
  id: "convergence",
  title: "Convergence after a store-wide outage",
  async run({ quick, runs }) {
    const registerCount = 10;
    const salesEach = quick ? 20 : 100;
    const tills = Array.from({ length: registerCount }, (_, i) => {
      const key = keyOf(`r${i + 1}`);
      return { key, batches: offlineSales(key.registerId, salesEach) };
    });
    const sales = registerCount * salesEach;
    const events = tills.reduce((sum, till) => sum + till.batches.flat().length, 0);
    const oursMs: number[] = [];
    const baselineMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      oursMs.push(await ours(tills, sales));
      baselineMs.push(await baseline(tills, sales));
    }
    return figureResult({
      id: "convergence",
      title: `Convergence, ${registerCount} registers x ${salesEach} offline sales`,
      unit: "ms",
      ours: oursMs,
      baseline: baselineMs,
      baselineName: `${registerCount} concurrent JSON POSTs`,
      goal: "<= 3 s",
      goalMet: (o) => o.median <= 3_000,
      notes: [
        `${sales} sales, ${events} events, ${registerCount} repos with their own storage, one server repo`,
        "ours: heal every link at once -> every log's heads equal on the server -> journal holds every sale",
      ],
    });
  },
};
