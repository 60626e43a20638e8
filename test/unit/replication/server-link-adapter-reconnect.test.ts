import type { PeerId } from "@automerge/automerge-repo";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { ServerLinkAdapter } from "../../../replication/network/server-link-adapter.ts";

const RETRY_MS = 150;
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A WebSocket server on 127.0.0.1 that counts the connections it accepted. */
async function countingServer(): Promise<{
  wss: WebSocketServer;
  url: string;
  count: () => number;
}> {
  let connections = 0;
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  wss.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((done) => wss.once("listening", () => done()));
  const address = wss.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { wss, url: `ws://127.0.0.1:${port}/sync`, count: () => connections };
}

async function until(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(5);
  }
}

/** The server drops every client, as a server going away does. */
function dropClients(wss: WebSocketServer): void {
  for (const client of wss.clients) client.terminate();
}

describe("ServerLinkAdapter reconnect after the server dropped the link", () => {
  let server: Awaited<ReturnType<typeof countingServer>> | undefined;
  const links: ServerLinkAdapter[] = [];

  afterEach(async () => {
    for (const link of links.splice(0)) {
      if (link.socket !== undefined) link.disconnect();
    }
    await new Promise<void>((done) => (server ? server.wss.close(() => done()) : done()));
    server = undefined;
  });

  it("connects again by itself while it is not disconnected", async () => {
    server = await countingServer();
    const link = new ServerLinkAdapter(server.url, { retryIntervalMs: RETRY_MS });
    links.push(link);
    link.connect("register/R1/test" as PeerId);
    await until("the first connection", () => server?.count() === 1);
    dropClients(server.wss);
    await until("the reconnection", () => server?.count() === 2);
  });

  it("stays disconnected when disconnect() comes within the retry interval after the drop", async () => {
    server = await countingServer();
    const link = new ServerLinkAdapter(server.url, { retryIntervalMs: RETRY_MS });
    links.push(link);
    link.connect("register/R1/test" as PeerId);
    await until("the first connection", () => server?.count() === 1);
    dropClients(server.wss);
    await pause(RETRY_MS / 3);
    link.disconnect();
    await pause(RETRY_MS * 4);
    expect(server.count()).toBe(1);
    expect(link.socket).toBeUndefined();
  });

  it("keeps retrying after a disconnect and connect made while it was retrying a vanished server", async () => {
    server = await countingServer();
    const port = new URL(server.url).port;
    const link = new ServerLinkAdapter(server.url, { retryIntervalMs: RETRY_MS });
    links.push(link);
    link.connect("register/R1/test" as PeerId);
    await until("the first connection", () => server?.count() === 1);
    // The server goes away; the link starts retrying it.
    dropClients(server.wss);
    await new Promise<void>((done) => server?.wss.close(() => done()));
    server = undefined;
    await pause(RETRY_MS * 3);
    // A cut and a heal while it retries (as a partition does), the server still gone.
    link.disconnect();
    link.connect("register/R1/test" as PeerId);
    await pause(RETRY_MS * 3);
    // The server comes back on the same port: the link must find it.
    const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(port) });
    let connections = 0;
    wss.on("connection", () => {
      connections += 1;
    });
    await new Promise<void>((done) => wss.once("listening", () => done()));
    server = { wss, url: `ws://127.0.0.1:${port}/sync`, count: () => connections };
    await until("the reconnection to the returned server", () => connections >= 1, RETRY_MS * 20);
  });
});
