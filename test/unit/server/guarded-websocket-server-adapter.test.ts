import * as Automerge from "@automerge/automerge";
import { cbor, type PeerId } from "@automerge/automerge-repo";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { businessDayOf } from "../../../domain/business-day.ts";
import { namedDocumentId, namedGenesis } from "../../../replication/documents/document-ids.ts";
import { salesLogDocumentId } from "../../../replication/documents/sales-log.ts";
import {
  createDeviceWritePolicy,
  postingRecordGenesis,
} from "../../../src/server/sync/device-write-policy.ts";
import {
  type ConnectedDevice,
  GuardedWebSocketServerAdapter,
  type PolicyViolation,
} from "../../../src/server/sync/guarded-websocket-server-adapter.ts";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const today = businessDayOf(NOW);
const device: ConnectedDevice = { registerId: "R1", deviceId: "R1@1" };

let wss: WebSocketServer;
let adapter: GuardedWebSocketServerAdapter;
let violations: PolicyViolation[];
let socket: WebSocket & { closedWith: number | null };
let delivered: number;

beforeEach(async () => {
  wss = new WebSocketServer({ noServer: true });
  violations = [];
  const policy = createDeviceWritePolicy({
    storeId: "S1",
    now: () => NOW,
    maxMessageBytes: 64 * 1024,
    onViolation: (violation) => violations.push(violation),
    daysBack: 2,
  });
  await policy.prepare("R1");
  const devices = new WeakMap<WebSocket, ConnectedDevice>();
  adapter = new GuardedWebSocketServerAdapter(wss, devices, policy);
  adapter.connect("retail-server" as PeerId);
  delivered = 0;
  adapter.on("message", () => {
    delivered += 1;
  });
  socket = {
    closedWith: null,
    close(code?: number) {
      this.closedWith = code ?? 1000;
    },
    terminate() {},
  } as WebSocket & { closedWith: number | null };
  devices.set(socket, device);
  // As after the device's join: the adapter delivers only what comes from a joined socket.
  adapter.sockets["register/R1/x" as PeerId] = socket;
});
afterEach(() => {
  adapter.disconnect();
  wss.close();
});

function syncMessage(documentId: string, chunks: Uint8Array[], senderId = "register/R1/x") {
  const data = Automerge.encodeSyncMessage({ heads: [], need: [], have: [], changes: chunks });
  return cbor.encode({
    type: "sync",
    senderId,
    targetId: "retail-server",
    documentId,
    data,
  });
}

function someChanges(): { changes: Uint8Array[]; document: Uint8Array } {
  const doc = Automerge.change(Automerge.init<{ forged?: number }>(), (d) => {
    d.forged = 1;
  });
  return { changes: Automerge.getAllChanges(doc), document: Automerge.save(doc) };
}

describe("guarded WebSocket server adapter", () => {
  it("passes changes for the device's own sales log", async () => {
    adapter.receiveMessage(
      syncMessage(
        await salesLogDocumentId({ storeId: "S1", registerId: "R1", businessDay: today }),
        someChanges().changes,
      ),
      socket,
    );
    expect(socket.closedWith).toBeNull();
    expect(delivered).toBe(1);
  });

  it("closes on changes, as single changes or a whole document, for a document the device does not own", async () => {
    const foreign = await salesLogDocumentId({
      storeId: "S1",
      registerId: "R2",
      businessDay: today,
    });
    adapter.receiveMessage(syncMessage(foreign, someChanges().changes), socket);
    expect(socket.closedWith).toBe(4403);
    socket.closedWith = null;
    adapter.receiveMessage(syncMessage(foreign, [someChanges().document]), socket);
    expect(socket.closedWith).toBe(4403);
    expect(violations.map((v) => [v.reason, v.documentId, v.device.deviceId])).toEqual([
      ["foreign-document", foreign, "R1@1"],
      ["foreign-document", foreign, "R1@1"],
    ]);
    expect(delivered).toBe(0);
  });

  it("lets through a request without changes, and the genesis of the device's own posting record", async () => {
    const configuration = await namedDocumentId({ kind: "store-configuration", parts: ["S1"] });
    adapter.receiveMessage(syncMessage(configuration, []), socket);
    const name = { kind: "posting-record", parts: ["S1", "R1", today] } as const;
    const genesis = await namedGenesis(name, postingRecordGenesis("S1", "R1", today));
    adapter.receiveMessage(syncMessage(await namedDocumentId(name), [genesis]), socket);
    expect(socket.closedWith).toBeNull();
    expect(delivered).toBe(2);
  });

  it("closes when a device speaks under another register's peer id or sends garbage", async () => {
    const own = await salesLogDocumentId({ storeId: "S1", registerId: "R1", businessDay: today });
    adapter.receiveMessage(syncMessage(own, [], "register/R2/x"), socket);
    expect(socket.closedWith).toBe(4403);
    socket.closedWith = null;
    adapter.receiveMessage(new Uint8Array([0xff, 0x00, 0x13]), socket);
    expect(socket.closedWith).toBe(4403);
    expect(violations.map((v) => v.reason)).toEqual(["peer-id-mismatch", "malformed"]);
    expect(delivered).toBe(0);
  });

  it("closes on a sync message for the device's own log whose changes are not whole Automerge chunks", async () => {
    const own = await salesLogDocumentId({ storeId: "S1", registerId: "R1", businessDay: today });
    const [change] = someChanges().changes;
    const cut = change!.subarray(0, change!.byteLength - 3);
    const flipped = Uint8Array.from(change!);
    flipped[flipped.byteLength - 1] = (flipped[flipped.byteLength - 1]! + 1) % 256;
    const sends = [
      syncMessage(own, [new Uint8Array([0x62, 0x06, 0x1f, 0xd4])]),
      syncMessage(own, [cut]),
      syncMessage(own, [flipped]),
      cbor.encode({
        type: "sync",
        senderId: "register/R1/x",
        targetId: "retail-server",
        documentId: own,
        data: new Uint8Array([0x62, 0x06, 0x1f, 0xd4]),
      }),
    ];
    for (const message of sends) {
      socket.closedWith = null;
      adapter.receiveMessage(message, socket);
      expect(socket.closedWith).toBe(4403);
    }
    expect(violations.map((v) => [v.reason, v.documentId])).toEqual(
      sends.map(() => ["malformed", own]),
    );
    expect(delivered).toBe(0);
  });
});
