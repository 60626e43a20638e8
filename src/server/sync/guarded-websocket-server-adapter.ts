import { decodeChange, decodeSyncMessage, getAllChanges, load } from "@automerge/automerge/slim";
import type { DocumentId } from "@automerge/automerge-repo/slim";
import { cbor, isValidDocumentId } from "@automerge/automerge-repo/slim";
import type { FromServerMessage } from "@automerge/automerge-repo-network-websocket";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import type { WebSocket, WebSocketServer } from "ws";
import { checkAutomergeChunks } from "../../../replication/storage/automerge-chunk-check.ts";

/** Who is on the other end of a socket: decided once, at the authenticated upgrade. */
export type ConnectedDevice = { readonly registerId: string; readonly deviceId: string };

/** Why the write policy closed a device's connection. */
export type PolicyViolation = {
  readonly device: ConnectedDevice;
  readonly reason:
    | "foreign-document"
    | "peer-id-mismatch"
    | "message-too-large"
    | "document-too-large"
    | "malformed";
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
  /**
   * Called before a message about a document goes out; the message waits for it. The server
   * saves the document here, so a peer never holds a change of the server's that a crash could
   * take from the server (the peer would offer it back, and be refused as a foreign writer).
   */
  readonly beforeSend?: (documentId: DocumentId) => Promise<void>;
  readonly maxMessageBytes: number;
  /**
   * Largest size a device may make a document it writes reach, with `documentBytes` telling how
   * large it is now: changes that would pass it are refused.
   */
  readonly maxDocumentBytes?: number;
  readonly documentBytes?: (documentId: DocumentId) => number;
  readonly onViolation: (violation: PolicyViolation) => void;
};

/** Messages the repo hands to a document's synchronizer: each must name a valid document. */
const DOCUMENT_MESSAGE_TYPES = ["sync", "request", "ephemeral", "doc-unavailable"] as const;

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

  #outgoing: Promise<void> = Promise.resolve();
  /** The type of the message {@link #inspect} last decoded. */
  #lastType: unknown = null;

  /** Sends in order; a message about a document waits for `beforeSend` of that document. */
  override send(message: FromServerMessage): void {
    const beforeSend = this.#policy.beforeSend;
    const documentId =
      "documentId" in message && typeof message.documentId === "string"
        ? (message.documentId as DocumentId)
        : null;
    // A message belongs to the connection it was made for: once the peer has reconnected (or
    // left), its sync state was reset, and a stale message on the new socket can derail sync.
    const socket = this.sockets[message.targetId];
    const deliver = (): void => {
      if (this.sockets[message.targetId] === socket) super.send(message);
    };
    this.#outgoing = this.#outgoing
      .then(() =>
        beforeSend === undefined || documentId === null ? undefined : beforeSend(documentId),
      )
      // A failed save must not stop the conversation: the message goes out regardless.
      .catch(() => {})
      .then(deliver)
      .catch(() => {});
  }

  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    const device = this.#devices.get(socket);
    if (!device) {
      socket.close(4401, "unauthenticated");
      return;
    }
    this.#lastType = null;
    const verdict = this.#inspect(messageBytes, device);
    if (verdict) {
      this.#policy.onViolation(verdict);
      socket.close(4403, verdict.reason);
      return;
    }
    // Ephemeral messages would be relayed to every other register; nothing here uses them.
    if (this.#lastType === "ephemeral") return;
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

  /** Refuses changes that would take a document past `maxDocumentBytes`. */
  #checkSize(
    changes: readonly Uint8Array[],
    documentId: DocumentId,
    violation: (
      reason: PolicyViolation["reason"],
      detail: string,
      documentId: string | null,
    ) => PolicyViolation,
  ): PolicyViolation | null {
    const { maxDocumentBytes, documentBytes } = this.#policy;
    if (maxDocumentBytes === undefined || documentBytes === undefined) return null;
    const stored = documentBytes(documentId);
    const incoming = changes.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    if (incoming === 0 || stored + incoming <= maxDocumentBytes) return null;
    return violation(
      "document-too-large",
      `changes of ${incoming} bytes would take the document from ${stored} bytes past the limit of ${maxDocumentBytes} (POS_MAX_DOCUMENT_BYTES)`,
      documentId,
    );
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
    this.#lastType = message.type;
    if (DOCUMENT_MESSAGE_TYPES.some((type) => type === message.type)) {
      if (!isValidDocumentId(message.documentId)) {
        return violation(
          "malformed",
          `${String(message.type)} message without a valid document id`,
        );
      }
      if ("data" in message && !(message.data instanceof Uint8Array)) {
        return violation("malformed", `${String(message.type)} message whose data is not bytes`);
      }
    }
    if (message.type !== "sync" && message.type !== "request") return null;
    if (typeof message.documentId !== "string" || !(message.data instanceof Uint8Array)) {
      return violation("malformed", `${String(message.type)} message without document or data`);
    }
    const documentId = message.documentId as DocumentId;
    // Decoded here whatever the document, and the chunks of a document the device may write
    // checked whole (magic bytes, lengths, checksums), so a malformed message is refused and
    // reported at the door: inside the repo it would fail the document's handle.
    let changes: readonly Uint8Array[];
    try {
      changes = decodeSyncMessage(message.data).changes;
    } catch (error) {
      return violation("malformed", `undecodable sync message: ${String(error)}`, documentId);
    }
    if (this.#policy.mayWrite(device, documentId)) {
      for (const [index, chunk] of changes.entries()) {
        const problem = checkAutomergeChunks(chunk);
        if (problem !== null) {
          return violation(
            "malformed",
            `change ${index} of the sync message: ${problem}`,
            documentId,
          );
        }
      }
      return this.#checkSize(changes, documentId, violation);
    }
    let hashes: string[];
    try {
      hashes = changes.flatMap(changeHashes);
    } catch (error) {
      return violation("malformed", `undecodable change: ${String(error)}`, documentId);
    }
    const isHarmless = this.#policy.isHarmless;
    const writes =
      isHarmless === undefined
        ? hashes
        : hashes.filter((hash) => !isHarmless(device, documentId, hash));
    if (writes.length === 0) return null;
    return violation(
      "foreign-document",
      `sent ${writes.length} change(s) for a document the device does not own`,
      documentId,
    );
  }
}

/**
 * The hashes of the changes in one item of a sync message: a single change chunk, or (when the
 * sender sends a whole document to a peer that has none of it) a document chunk holding many.
 */
function changeHashes(chunk: Uint8Array): string[] {
  try {
    return [decodeChange(chunk).hash];
  } catch {
    return getAllChanges(load(chunk)).map((change) => decodeChange(change).hash);
  }
}
