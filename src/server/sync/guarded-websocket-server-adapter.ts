import { decodeChange, decodeSyncMessage } from "@automerge/automerge/slim";
import type { DocumentId } from "@automerge/automerge-repo/slim";
import { cbor } from "@automerge/automerge-repo/slim";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import type { WebSocket, WebSocketServer } from "ws";

/** Who is on the other end of a socket: decided once, at the authenticated upgrade. */
export type ConnectedDevice = { readonly registerId: string; readonly deviceId: string };

/** Why the write policy closed a device's connection. */
export type PolicyViolation = {
  readonly device: ConnectedDevice;
  readonly reason: "foreign-document" | "peer-id-mismatch" | "message-too-large" | "malformed";
  readonly documentId: string | null;
  readonly detail: string;
};

export type WritePolicy = {
  /** True when this device may write (send changes for) the document. */
  readonly mayWrite: (device: ConnectedDevice, documentId: DocumentId) => boolean;
  /** The peer id a device must join with, so one device cannot speak for another. */
  readonly peerIdPrefix: (device: ConnectedDevice) => string;
  /**
   * True when a change the device offers for a document it may not write writes nothing new:
   * the server already holds it, or it is the document's deterministic genesis (identical
   * wherever it is made).
   */
  readonly isHarmless?: (device: ConnectedDevice, documentId: DocumentId, hash: string) => boolean;
  readonly maxMessageBytes: number;
  readonly onViolation: (violation: PolicyViolation) => void;
};

type IncomingMessage = {
  readonly type?: unknown;
  readonly senderId?: unknown;
  readonly documentId?: unknown;
  readonly data?: unknown;
};

/**
 * The retail server's WebSocket adapter with the device write policy applied before anything
 * reaches the repo: a device may send changes only for documents it owns (its own sales logs and
 * replica status). Any change for another document (master data, store configuration, posting
 * records, another register's log), an oversized or malformed message, or a join under a peer id
 * that is not the device's own, is dropped, reported, and the connection is closed.
 */
export class GuardedWebSocketServerAdapter extends WebSocketServerAdapter {
  readonly #devices: WeakMap<WebSocket, ConnectedDevice>;
  readonly #policy: WritePolicy;
  readonly #server: WebSocketServer;

  constructor(
    server: WebSocketServer,
    devices: WeakMap<WebSocket, ConnectedDevice>,
    policy: WritePolicy,
    keepAliveInterval?: number,
  ) {
    super(server as ConstructorParameters<typeof WebSocketServerAdapter>[0], keepAliveInterval);
    this.#server = server;
    this.#devices = devices;
    this.#policy = policy;
  }

  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    const device = this.#devices.get(socket);
    if (!device) {
      socket.close(4401, "unauthenticated");
      return;
    }
    const verdict = this.#inspect(messageBytes, device);
    if (verdict) {
      this.#policy.onViolation(verdict);
      socket.close(4403, verdict.reason);
      return;
    }
    super.receiveMessage(messageBytes, socket);
  }

  /** Closes every connection of a register at once (used when its token is revoked). */
  disconnectRegister(registerId: string): number {
    let closed = 0;
    for (const socket of this.#server.clients) {
      if (this.#devices.get(socket)?.registerId === registerId) {
        socket.close(4401, "revoked");
        closed++;
      }
    }
    return closed;
  }

  #inspect(messageBytes: Uint8Array, device: ConnectedDevice): PolicyViolation | null {
    const violation = (
      reason: PolicyViolation["reason"],
      detail: string,
      documentId: string | null = null,
    ): PolicyViolation => ({ device, reason, documentId, detail });

    if (messageBytes.byteLength > this.#policy.maxMessageBytes) {
      return violation(
        "message-too-large",
        `message of ${messageBytes.byteLength} bytes exceeds the limit of ${this.#policy.maxMessageBytes}`,
      );
    }
    let message: IncomingMessage;
    try {
      const decoded: unknown = cbor.decode(messageBytes);
      if (typeof decoded !== "object" || decoded === null) {
        return violation("malformed", "message is not a map");
      }
      message = decoded as IncomingMessage;
    } catch (error) {
      return violation("malformed", `undecodable message: ${String(error)}`);
    }
    if (typeof message.senderId !== "string") {
      return violation("malformed", "message has no sender id");
    }
    if (!message.senderId.startsWith(this.#policy.peerIdPrefix(device))) {
      return violation("peer-id-mismatch", `device joined as ${message.senderId}`);
    }
    if (message.type !== "sync" && message.type !== "request") return null;
    if (typeof message.documentId !== "string" || !(message.data instanceof Uint8Array)) {
      return violation("malformed", `${String(message.type)} message without document or data`);
    }
    const documentId = message.documentId as DocumentId;
    if (this.#policy.mayWrite(device, documentId)) return null;
    let hashes: string[];
    try {
      hashes = decodeSyncMessage(message.data).changes.map((change) => decodeChange(change).hash);
    } catch (error) {
      return violation("malformed", `undecodable sync message: ${String(error)}`, documentId);
    }
    const isHarmless = this.#policy.isHarmless;
    const writes =
      isHarmless === undefined
        ? hashes
        : hashes.filter((hash) => !isHarmless(device, documentId, hash));
    const changes = writes.length;
    if (changes === 0) return null;
    return violation(
      "foreign-document",
      `sent ${changes} change(s) for a document the device does not own`,
      documentId,
    );
  }
}
