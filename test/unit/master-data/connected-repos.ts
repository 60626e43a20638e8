import type { AddressInfo } from "node:net";
import { Repo } from "@automerge/automerge-repo";
import type { StorageAdapterInterface } from "@automerge/automerge-repo/slim";
import {
  NodeWSServerAdapter,
  WebSocketClientAdapter,
} from "@automerge/automerge-repo-network-websocket";
import { WebSocketServer } from "ws";

/** A headquarters-side repo and a register-side repo joined by a real WebSocket on 127.0.0.1. */
export type ConnectedRepos = {
  readonly server: Repo;
  readonly client: Repo;
  close(): Promise<void>;
};

export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function connectedRepos(
  options: { readonly clientStorage?: StorageAdapterInterface } = {},
): Promise<ConnectedRepos> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const address = wss.address() as AddressInfo;
  const adapter = new NodeWSServerAdapter(
    wss as unknown as ConstructorParameters<typeof NodeWSServerAdapter>[0],
  );
  const server = new Repo({ network: [adapter], sharePolicy: async () => true });
  const client = new Repo({
    network: [new WebSocketClientAdapter(`ws://127.0.0.1:${address.port}`, 200)],
    ...(options.clientStorage === undefined ? {} : { storage: options.clientStorage }),
  });
  await waitUntil(() => client.peers.length > 0 && server.peers.length > 0, "the peers to connect");
  return {
    server,
    client,
    async close() {
      await client.shutdown().catch(() => undefined);
      await server.shutdown().catch(() => undefined);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
