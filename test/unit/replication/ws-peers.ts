import type { AddressInfo } from "node:net";
import {
  type NetworkAdapterInterface,
  Repo,
  type StorageAdapterInterface,
} from "@automerge/automerge-repo";
import {
  NodeWSServerAdapter,
  WebSocketClientAdapter,
} from "@automerge/automerge-repo-network-websocket";
import { WebSocketServer } from "ws";
import { PartitionableNetworkAdapter } from "../../../replication/network/partitionable-network-adapter.ts";

/** A server repo and a client repo joined by a real WebSocket on 127.0.0.1, client link wrapped. */
export type WsPeers = {
  readonly server: Repo;
  readonly client: Repo;
  readonly link: PartitionableNetworkAdapter;
  readonly wss: WebSocketServer;
  readonly url: string;
  /** Waits until the client repo sees the server peer. */
  readonly connected: () => Promise<void>;
  readonly close: () => Promise<void>;
};

export type WsPeersOptions = {
  readonly serverStorage?: StorageAdapterInterface;
  readonly clientStorage?: StorageAdapterInterface;
  readonly retryIntervalMs?: number;
  /** How the client link treats its transport when cut (default "restart"). */
  readonly transport?: "keep" | "restart";
  /** Wraps the server adapter too, for tests that cut both ends. */
  readonly wrapServer?: (adapter: NetworkAdapterInterface) => NetworkAdapterInterface;
};

export async function startWsPeers(options: WsPeersOptions = {}): Promise<WsPeers> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const { port } = wss.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}`;
  const serverAdapter = new NodeWSServerAdapter(
    wss as unknown as ConstructorParameters<typeof NodeWSServerAdapter>[0],
    1_000,
  );
  const server = new Repo({
    network: [options.wrapServer ? options.wrapServer(serverAdapter) : serverAdapter],
    ...(options.serverStorage ? { storage: options.serverStorage } : {}),
  });
  const link = new PartitionableNetworkAdapter(
    new WebSocketClientAdapter(url, options.retryIntervalMs ?? 200),
    { transport: options.transport ?? "restart" },
  );
  const client = new Repo({
    network: [link],
    ...(options.clientStorage ? { storage: options.clientStorage } : {}),
  });
  const connected = (): Promise<void> =>
    waitUntil(() => client.peers.includes(server.peerId) && server.peers.includes(client.peerId));
  const close = async (): Promise<void> => {
    await client.shutdown().catch(() => {});
    await server.shutdown().catch(() => {});
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
  return { server, client, link, wss, url, connected, close };
}

/** Polls `condition` every 10 ms; rejects after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
