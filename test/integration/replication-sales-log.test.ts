import { promises as fs } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Repo } from "@automerge/automerge-repo";
import {
  NodeWSServerAdapter,
  WebSocketClientAdapter,
} from "@automerge/automerge-repo-network-websocket";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import {
  appendToSalesLog,
  openSalesLog,
  readSalesLog,
  type SalesLogKey,
} from "../../replication/documents/sales-log.ts";
import { waitForHeads } from "../../replication/documents/wait-for-heads.ts";
import { PartitionableNetworkAdapter } from "../../replication/network/partitionable-network-adapter.ts";
import { AtomicNodeFSStorageAdapter } from "../../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../../replication/storage/shutdown-repo.ts";
import { sampleSaleEvents } from "../unit/replication/sample-events.ts";

const SALES = 1_000;
const key: SalesLogKey = { storeId: "s1", registerId: "r1", businessDay: "2024-05-01" };

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "pos-sales-log-"));
});
afterAll(async () => {
  await new Promise((resolve) => setTimeout(resolve, 200));
  await fs.rm(root, { recursive: true, force: true });
});

async function startServer() {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const repo = new Repo({
    network: [
      new NodeWSServerAdapter(
        wss as unknown as ConstructorParameters<typeof NodeWSServerAdapter>[0],
      ),
    ],
    storage: new NodeFSStorageAdapter(path.join(root, "server")),
  });
  const stop = async () => {
    await shutdownRepo(repo);
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
  return { repo, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, stop };
}

function startRegister(url: string) {
  const link = new PartitionableNetworkAdapter(new WebSocketClientAdapter(url, 200), {
    transport: "restart",
  });
  const storage = new AtomicNodeFSStorageAdapter(path.join(root, "register"));
  const repo = new Repo({ network: [link], storage });
  return { repo, link, storage };
}

async function waitForPeer(repo: Repo, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (repo.peers.length === 0) {
    if (Date.now() > deadline) throw new Error("register never connected to the server");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("sales log replication (1,000 offline sales)", () => {
  it("uploads every offline sale once after the outage and keeps them across restarts", async () => {
    const server = await startServer();
    const register = startRegister(server.url);
    await waitForPeer(register.repo);
    register.link.cut();

    const log = await openSalesLog(register.repo, key);
    const appendStarted = performance.now();
    let seq = 1;
    for (let n = 0; n < SALES; n++) {
      const events = sampleSaleEvents(key.registerId, seq, `sale-${n}`);
      seq += events.length;
      for (const event of events) appendToSalesLog(log, [event]);
    }
    const appendMs = performance.now() - appendStarted;
    const expected = seq - 1;
    expect(readSalesLog(log.doc(), log.documentId, key).events).toHaveLength(expected);

    const onServer = await openSalesLog(server.repo, key);
    expect(onServer.documentId).toBe(log.documentId);

    const syncStarted = performance.now();
    register.link.heal();
    await waitForHeads([log, onServer], { timeoutMs: 60_000 });
    const syncMs = performance.now() - syncStarted;
    console.log(
      `[sales-log] ${SALES} sales / ${expected} events: appended (one change per command) in ` +
        `${appendMs.toFixed(0)} ms, synced to the server in ${syncMs.toFixed(0)} ms`,
    );

    const received = readSalesLog(onServer.doc(), onServer.documentId, key);
    expect(received.quarantined).toEqual([]);
    expect(received.events).toHaveLength(expected);
    expect(received.events.map((e) => e.seq)).toEqual(
      Array.from({ length: expected }, (_, i) => i + 1),
    );
    expect(new Set(received.events.map((e) => e.id)).size).toBe(expected);
    const heads = onServer.heads();

    await shutdownRepo(register.repo);
    await server.stop();

    const serverAgain = new Repo({ storage: new NodeFSStorageAdapter(path.join(root, "server")) });
    const registerAgain = new Repo({
      storage: new AtomicNodeFSStorageAdapter(path.join(root, "register")),
    });
    for (const repo of [serverAgain, registerAgain]) {
      const reopened = await openSalesLog(repo, key);
      expect(reopened.heads()).toEqual(heads);
      const content = readSalesLog(reopened.doc(), reopened.documentId, key);
      expect(content.quarantined).toEqual([]);
      expect(content.events).toHaveLength(expected);
    }
    expect(register.storage.quarantined).toEqual([]);
    await shutdownRepo(serverAgain);
    await shutdownRepo(registerAgain);
  });
});
