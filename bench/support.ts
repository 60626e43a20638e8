import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Repo } from "@automerge/automerge-repo";
import type {
  NetworkAdapterInterface,
  StorageAdapterInterface,
} from "@automerge/automerge-repo/slim";
import {
  NodeWSServerAdapter,
  WebSocketClientAdapter,
} from "@automerge/automerge-repo-network-websocket";
import { WebSocketServer } from "ws";
import { shutdownRepo } from "../replication/storage/shutdown-repo.ts";

/**
 * Plumbing shared by the figures: real WebSocket and HTTP servers on 127.0.0.1 with free ports,
 * scratch directories, and bounded waits. Nothing here is measured on its own.
 */

/** Options every figure receives from the runner. */
export type FigureOptions = {
  /** Smaller sizes, for a smoke run. */
  readonly quick: boolean;
  /** How many times ours and the baseline are each measured (at least 3). */
  readonly runs: number;
};

/** Polls `condition` every few milliseconds; rejects after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const scratchDirectories: string[] = [];

/**
 * A scratch directory. `remove()` only marks it: automerge-repo saves throttled sync state after
 * a repo is shut down, so directories are deleted by {@link removeScratchDirectories} at the end
 * of the run.
 */
export async function scratchDirectory(
  prefix: string,
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `pos-bench-${prefix}-`));
  return {
    path,
    remove: async () => {
      scratchDirectories.push(path);
    },
  };
}

/** Deletes every scratch directory handed out so far. */
export async function removeScratchDirectories(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const paths = scratchDirectories.splice(0);
  await Promise.all(
    paths.map((path) =>
      rm(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }).catch(
        () => undefined,
      ),
    ),
  );
}

/** A retail-server-like repo listening for registers on a WebSocket at 127.0.0.1, port 0. */
export type WebSocketHub = {
  readonly repo: Repo;
  readonly url: string;
  stop(): Promise<void>;
};

export async function startWebSocketHub(
  options: { readonly storage?: StorageAdapterInterface } = {},
): Promise<WebSocketHub> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const repo = new Repo({
    network: [
      new NodeWSServerAdapter(
        wss as unknown as ConstructorParameters<typeof NodeWSServerAdapter>[0],
      ),
    ],
    ...(options.storage === undefined ? {} : { storage: options.storage }),
    sharePolicy: async () => true,
  });
  return {
    repo,
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    async stop() {
      await shutdownRepo(repo).catch(() => undefined);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A register-side repo; pass `network` to wrap the WebSocket (e.g. in a partitionable link). */
export function startClientRepo(options: {
  readonly url: string;
  readonly storage?: StorageAdapterInterface;
  readonly wrap?: (socket: WebSocketClientAdapter) => NetworkAdapterInterface;
}): Repo {
  const socket = new WebSocketClientAdapter(options.url, 200);
  return new Repo({
    network: [options.wrap === undefined ? socket : options.wrap(socket)],
    ...(options.storage === undefined ? {} : { storage: options.storage }),
  });
}

/** Waits until `repo` sees at least one peer. */
export function waitForPeer(repo: Repo, timeoutMs = 10_000): Promise<void> {
  return waitUntil(() => repo.peers.length > 0, "the peer to connect", timeoutMs);
}

/** A node:http server on 127.0.0.1, port 0, answering every request with `handle`. */
export type HttpBaseline = { readonly url: string; stop(): Promise<void> };

export async function startHttpServer(
  handle: (
    request: IncomingMessage,
    body: Buffer,
  ) => Promise<{ status: number; body: string | Uint8Array; type?: string }>,
): Promise<HttpBaseline> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      handle(request, Buffer.concat(chunks)).then(
        (answer) => {
          response.writeHead(answer.status, {
            "content-type": answer.type ?? "application/json",
          });
          response.end(answer.body);
        },
        (error: unknown) => {
          response.writeHead(500, { "content-type": "text/plain" });
          response.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `measure` `runs` times in sequence and returns the values. */
export async function repeat(runs: number, measure: () => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await measure());
  return values;
}

/**
 * Waits until this process is idle (under 5% of one core over 250 ms, at most `timeoutMs`), so
 * background work left by preparing a figure (automerge-repo saving after shutdown, garbage
 * collection) does not compete with a child process being measured.
 */
export async function waitUntilIdle(timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  (globalThis as { gc?: () => void }).gc?.();
  while (performance.now() < deadline) {
    const before = process.cpuUsage();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const used = process.cpuUsage(before);
    const busy = (used.user + used.system) / 1000 / (performance.now() - started);
    if (busy < 0.05) return;
  }
}
