import type { AddressInfo } from "node:net";
import { Repo } from "@automerge/automerge-repo";
import {
  NodeWSServerAdapter,
  WebSocketClientAdapter,
} from "@automerge/automerge-repo-network-websocket";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { PartitionableNetworkAdapter } from "../../../replication/network/partitionable-network-adapter.ts";
import { waitUntil } from "./ws-peers.ts";

/**
 * `WebSocketClientAdapter` may open a new socket on its own while its peer is announced: the
 * reconnect it schedules when a socket closes fires even after a cut and heal already opened a
 * new one. The change sent while that socket connects is lost; the far end restarts sync at the
 * new join, so unless the local repo restarts too, its sync state believes the change delivered
 * and the far end's copy stays behind forever.
 */
describe("PartitionableNetworkAdapter when the transport replaces its socket by itself", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("a change made while the replacement socket connects reaches the server", async () => {
    let holdUpgrades = false;
    const held: (() => void)[] = [];
    const wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      verifyClient: (_info, accept) => {
        if (holdUpgrades) held.push(() => accept(true));
        else accept(true);
      },
    });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    const { port } = wss.address() as AddressInfo;
    const server = new Repo({
      network: [
        new NodeWSServerAdapter(
          wss as unknown as ConstructorParameters<typeof NodeWSServerAdapter>[0],
          1_000,
        ),
      ],
    });
    const inner = new WebSocketClientAdapter(`ws://127.0.0.1:${port}`, 60_000);
    const link = new PartitionableNetworkAdapter(inner, { transport: "restart" });
    const client = new Repo({ network: [link] });
    cleanups.push(async () => {
      await client.shutdown().catch(() => {});
      await server.shutdown().catch(() => {});
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });

    const handle = client.create<{ count: number }>({ count: 0 });
    await waitUntil(() => server.handles[handle.documentId]?.isReady() === true);
    const copy = () => server.handles[handle.documentId]!.doc() as { count: number };
    await waitUntil(() => copy().count === 0);

    // What the adapter's own reconnect timer does: a new socket while the peer stays announced.
    holdUpgrades = true;
    inner.connect(client.peerId);
    handle.change((doc) => {
      doc.count = 1;
    });
    // The change goes out (and is lost) while the new socket is still connecting.
    await new Promise((resolve) => setTimeout(resolve, 400));
    holdUpgrades = false;
    for (const accept of held.splice(0)) accept();

    await waitUntil(() => copy().count === 1, 5_000);
    expect(copy().count).toBe(1);
  });
});
