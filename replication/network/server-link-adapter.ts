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
 * The stock client's retries have two holes, both closed here by the adapter's own reconnect
 * timer, armed on every close while the link is wanted and cancelled by `disconnect()`:
 * - it schedules a reconnect when an open socket closes and never cancels it: a link
 *   disconnected within the retry interval after its server went away (a register closed, or a
 *   partition cut, while the server restarts) connected again by itself, and kept a closed
 *   register's repo syncing with the server, or retrying a vanished one, for the rest of the
 *   process;
 * - `disconnect()` while it was retrying clears its retry interval but keeps the interval's id,
 *   so after the next `connect()` a failed attempt was never retried: a register cut off (or set
 *   to Disconnect) while its server was restarting, then healed before the server was back,
 *   stayed without a connection for good.
 */
export class ServerLinkAdapter extends WebSocketClientAdapter {
  readonly #onConnectionError: ((error: Error) => void) | undefined;
  /** The next connection attempt after a close; cancelled by {@link disconnect}. */
  #reconnect: ReturnType<typeof setTimeout> | undefined;
  /** Between `connect()` and `disconnect()`: the link should be up, so every close retries. */
  #wanted = false;

  constructor(
    url: string,
    options: {
      readonly retryIntervalMs?: number;
      readonly onConnectionError?: (error: Error) => void;
    } = {},
  ) {
    super(url, options.retryIntervalMs ?? 5_000);
    this.#onConnectionError = options.onConnectionError;
  }

  override onClose = (): void => {
    if (this.remotePeerId) this.emit("peer-disconnected", { peerId: this.remotePeerId });
    if (!this.#wanted || this.retryInterval <= 0 || this.#reconnect !== undefined) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = undefined;
      if (this.#wanted && this.peerId !== undefined) this.connect(this.peerId, this.peerMetadata);
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
    this.#wanted = true;
    super.connect(peerId, peerMetadata);
    keepErrorListener(this.socket);
  }

  override disconnect(): void {
    this.#cancelReconnect();
    this.#wanted = false;
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
