import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import * as Automerge from "@automerge/automerge";
import { cbor } from "@automerge/automerge-repo";
import fc from "fast-check";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { businessDayOf } from "../../domain/business-day.ts";
import { salesLogDocumentId } from "../../replication/documents/sales-log.ts";
import { loadServerConfig } from "../../src/server/config.ts";
import { type RetailServer, startRetailServer } from "../../src/server/main.ts";

const RUNS = Number(process.env.POS_PROPERTY_RUNS ?? 100);

let dataDir: string;
let server: RetailServer;
let token: string;
let documentIds: string[];

/** Every ready document's heads, and the journal: what no hostile frame may change. */
function observableState(): { heads: Record<string, string[]>; journal: string } {
  const heads: Record<string, string[]> = {};
  for (const [id, handle] of Object.entries(server.repo.handles)) {
    if (handle.isReady()) heads[id] = [...Automerge.getHeads(handle.doc())].sort();
  }
  return { heads, journal: JSON.stringify(server.ingestion.projection.journal()) };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pos-sync-fuzz-"));
  const config = loadServerConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    POS_DATA_DIR: dataDir,
    POS_ADMIN_TOKEN: "fuzz-admin-token-0123456789abcdef",
    POS_DISTRIBUTION_INTERVAL_MS: "0",
    POS_MAX_MESSAGE_BYTES: String(64 * 1024),
  });
  const silent = pino(
    { level: "warn" },
    new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    }),
  );
  server = await startRetailServer(config, silent);
  const { code } = await server.devices.issueActivationCode("R1");
  ({ token } = await server.devices.activate("R1", code));
  const businessDay = businessDayOf(Date.now());
  documentIds = [
    ...Object.keys(server.repo.handles),
    await salesLogDocumentId({ storeId: "S1", registerId: "R1", businessDay }),
    await salesLogDocumentId({ storeId: "S1", registerId: "R2", businessDay }),
  ];
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Opens a socket as R1, sends the frames, and waits until the server closes it or a moment passes. */
async function sendFrames(frames: readonly Uint8Array[]): Promise<void> {
  const socket = new WebSocket(
    `ws://127.0.0.1:${server.port}/sync?token=${encodeURIComponent(token)}`,
  );
  socket.on("error", () => {});
  await new Promise<void>((done, fail) => {
    socket.once("open", () => done());
    socket.once("unexpected-response", () => fail(new Error("upgrade refused")));
  });
  const closed = new Promise<void>((done) => socket.once("close", () => done()));
  for (const frame of frames) {
    if (socket.readyState !== WebSocket.OPEN) break;
    socket.send(frame);
  }
  await Promise.race([closed, new Promise((done) => setTimeout(done, 30))]);
  socket.terminate();
  await closed;
}

const bytes = fc.uint8Array({ maxLength: 512 });
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("", "register/R1/fuzz"));

/** Sync-message-shaped data: a real encoding around random heads, needs and change bytes. */
const syncData = fc
  .record({
    heads: fc.array(fc.stringMatching(/^[0-9a-f]{64}$/), { maxLength: 2 }),
    changes: fc.array(bytes, { maxLength: 3 }),
  })
  .map(({ heads, changes }) =>
    Automerge.encodeSyncMessage({ heads, need: heads, have: [], changes }),
  );

const message = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom(
        "join",
        "sync",
        "request",
        "ephemeral",
        "doc-unavailable",
        "leave",
        "remote-heads-changed",
      ),
      fc.string({ maxLength: 12 }),
      fc.integer(),
    ),
    senderId: fc.oneof(fc.constant("register/R1/fuzz"), text, fc.integer()),
    targetId: fc.oneof(fc.constant("retail-server"), text),
    documentId: fc.oneof(fc.constant("placeholder"), text, fc.integer()),
    data: fc.oneof(bytes, syncData, text, fc.constant(null)),
    peerMetadata: fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 8 }), text)),
    supportedProtocolVersions: fc.oneof(fc.constant(["1"]), fc.array(text, { maxLength: 2 })),
  },
  { requiredKeys: [] },
);

const frame = fc.oneof(
  bytes,
  fc.tuple(message, fc.nat()).map(([fields, pick]) => {
    const withDocument =
      fields.documentId === "placeholder"
        ? { ...fields, documentId: documentIds[pick % documentIds.length] }
        : fields;
    return cbor.encode(withDocument);
  }),
);

/** A join as R1, so later frames reach the repo as an honest peer's would. */
const joinFrame = cbor.encode({
  type: "join",
  senderId: "register/R1/fuzz",
  peerMetadata: {},
  supportedProtocolVersions: ["1"],
});

describe("sync endpoint fuzzing", () => {
  it("survives arbitrary frames from an authenticated device: no crash, still healthy, nothing it may not write changes", {
    timeout: 120_000 * Math.max(1, RUNS / 100),
  }, async () => {
    const before = observableState();
    // automerge-repo reports a message it failed on with console.log and carries on: none may.
    const repoErrors = vi.spyOn(console, "log");
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(frame, { minLength: 1, maxLength: 4 }),
        async (joined, frames) => {
          await sendFrames(joined ? [joinFrame, ...frames] : frames);
          const after = observableState();
          for (const [id, heads] of Object.entries(before.heads)) {
            expect(after.heads[id], `heads of ${id}`).toEqual(heads);
          }
          expect(after.journal).toBe(before.journal);
        },
      ),
      { numRuns: RUNS },
    );
    const failures = repoErrors.mock.calls.filter(([text]) => text === "error receiving message");
    repoErrors.mockRestore();
    expect(failures).toEqual([]);
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
  });
});
