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
 */
export class ServerLinkAdapter extends WebSocketClientAdapter {
  readonly #onConnectionError: ((error: Error) => void) | undefined;

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
    super.connect(peerId, peerMetadata);
    keepErrorListener(this.socket);
  }

  override disconnect(): void {
    keepErrorListener(this.socket);
    super.disconnect();
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
