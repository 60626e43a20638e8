import type { PeerId, PeerMetadata } from "@automerge/automerge-repo/slim";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

/**
 * The register's WebSocket client for the retail server. The stock client adapter throws from its
 * socket error handler in Node for anything but "connection refused" (an HTTP 503 while the
 * server starts, a reset connection, a 401 for a revoked token), and it abandons sockets that are
 * still connecting (on reconnect and on disconnect) after removing their error listener, so a
 * late "socket hang up" from one of them is an uncaught exception. Either would crash a headless
 * register exactly when the server comes and goes. Here every socket error is a failed
 * connection: it is reported, and the adapter's own retry carries on; and every socket it
 * creates keeps a listener for errors until it is gone.
 *
 * The stock client also schedules a reconnect when an open socket closes and never cancels it:
 * a link disconnected within the retry interval after its server went away (a register closed,
 * or a partition cut, while the server restarts) connected again by itself, and kept a closed
 * register's repo syncing with the server, or retrying against a vanished one, for the rest of
 * the process. Here that reconnect is the adapter's own timer, and `disconnect()` cancels it.
 */
export class ServerLinkAdapter extends WebSocketClientAdapter {
  readonly #onConnectionError: ((error: Error) => void) | undefined;
  /** The reconnect after an open socket closed; cancelled by {@link disconnect}. */
  #reconnect: ReturnType<typeof setTimeout> | undefined;
  /** From `connect()` until the socket opens: the stock adapter's retry interval runs then. */
  #connecting = false;

  constructor(
    url: string,
    options: {
      readonly retryIntervalMs?: number;
      readonly onConnectionError?: (error: Error) => void;
    } = {},
  ) {
    super(url, options.retryIntervalMs ?? 5_000);
    this.#onConnectionError = options.onConnectionError;
    const stockOnOpen = this.onOpen;
    this.onOpen = () => {
      this.#connecting = false;
      stockOnOpen();
    };
  }

  override onClose = (): void => {
    if (this.remotePeerId) this.emit("peer-disconnected", { peerId: this.remotePeerId });
    if (this.retryInterval <= 0 || this.#connecting || this.#reconnect !== undefined) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = undefined;
      if (this.peerId !== undefined) this.connect(this.peerId, this.peerMetadata);
    }, this.retryInterval);
  };

  override onError = (event: unknown): void => {
    const error =
      typeof event === "object" &&
      event !== null &&
      "error" in event &&
      event.error instanceof Error
        ? event.error
        : new Error("the connection to the retail server failed");
    this.#onConnectionError?.(error);
  };

  override connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.#cancelReconnect();
    this.#connecting = true;
    super.connect(peerId, peerMetadata);
    keepErrorListener(this.socket);
  }

  override disconnect(): void {
    this.#cancelReconnect();
    this.#connecting = false;
    keepErrorListener(this.socket);
    super.disconnect();
  }

  #cancelReconnect(): void {
    clearTimeout(this.#reconnect);
    this.#reconnect = undefined;
  }
}

const guarded = new WeakSet<object>();

/** Gives a socket an error listener of its own, which the stock adapter never removes. */
function keepErrorListener(socket: unknown): void {
  if (typeof socket !== "object" || socket === null || guarded.has(socket)) return;
  if ("addEventListener" in socket && typeof socket.addEventListener === "function") {
    socket.addEventListener("error", () => {});
    guarded.add(socket);
  }
}
