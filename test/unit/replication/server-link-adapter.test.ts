import { createServer, type Server, type Socket } from "node:net";
import type { PeerId } from "@automerge/automerge-repo";
import { afterEach, describe, expect, it } from "vitest";
import { ServerLinkAdapter } from "../../../replication/network/server-link-adapter.ts";

/** A TCP server on 127.0.0.1 that takes each connection and hangs up after `delayMs`. */
async function hangingUpServer(delayMs: number): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    setTimeout(() => socket.destroy(), delayMs);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  server.on("close", () => {
    for (const socket of sockets) socket.destroy();
  });
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

describe("ServerLinkAdapter", () => {
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  let server: Server | undefined;

  afterEach(async () => {
    process.off("uncaughtException", record);
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  });

  it("reports a hang-up as a failed connection, also from a socket it abandoned while connecting", async () => {
    const hanging = await hangingUpServer(100);
    server = hanging.server;
    const listeners = process.listeners("uncaughtException");
    for (const listener of listeners) process.off("uncaughtException", listener);
    process.on("uncaughtException", record);
    try {
      const failures: Error[] = [];
      const link = new ServerLinkAdapter(`ws://127.0.0.1:${hanging.port}/sync`, {
        retryIntervalMs: 60_000,
        onConnectionError: (error) => failures.push(error),
      });
      link.connect("register/R1/test" as PeerId);
      // Reconnecting and disconnecting both abandon the socket that is still connecting.
      link.connect("register/R1/test" as PeerId);
      link.disconnect();
      await new Promise((done) => setTimeout(done, 400));
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", record);
      for (const listener of listeners) process.on("uncaughtException", listener);
    }
  });
});
