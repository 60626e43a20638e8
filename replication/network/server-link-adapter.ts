import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

/**
 * The register's WebSocket client for the retail server. The stock client adapter throws from its
 * socket error handler in Node for anything but "connection refused" (an HTTP 503 while the
 * server starts, a reset connection, a 401 for a revoked token), which would crash a headless
 * register exactly when the server comes and goes. Here every socket error is a failed
 * connection: it is reported, and the adapter's own retry carries on.
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
}
