import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { type WebSocket, WebSocketServer } from "ws";
import type { DeviceRegistry } from "../device-registry.ts";
import type { DeviceWritePolicy } from "./device-write-policy.ts";
import {
  type ConnectedDevice,
  GuardedWebSocketServerAdapter,
} from "./guarded-websocket-server-adapter.ts";

/**
 * The WebSocket sync endpoint on the HTTP server: `ws(s)://host/sync?token=<device token>`.
 * The token is checked against the device registry BEFORE the upgrade; an unknown or revoked
 * token gets `401` on the upgrade itself and never reaches automerge-repo. An accepted socket
 * carries its device for the guarded adapter's write policy.
 */

export const SYNC_PATH = "/sync";

export type SyncEndpointOptions = {
  readonly devices: DeviceRegistry;
  readonly policy: DeviceWritePolicy;
  readonly logger: Logger;
  /** Ping interval of the adapter (ms). */
  readonly keepAliveIntervalMs?: number;
};

/** The sync endpoint: give `adapter` to the repo, then `attach` it to the listening server. */
export type SyncEndpoint = {
  readonly adapter: GuardedWebSocketServerAdapter;
  /** Handles `upgrade` requests on `server` for {@link SYNC_PATH}. */
  attach(server: Server): void;
  /** Closes every socket of a register at once (its token was revoked). */
  disconnectRegister(registerId: string): number;
  /** How many sockets are open now. */
  connectionCount(): number;
  /** Closes every socket and the WebSocket server. */
  close(): Promise<void>;
};

/**
 * @example
 * const sync = createSyncEndpoint({ devices, policy, logger });
 * const repo = new Repo({ network: [sync.adapter], ... });
 * sync.attach(httpServer);
 */
export function createSyncEndpoint(options: SyncEndpointOptions): SyncEndpoint {
  const { devices, policy, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: policy.maxMessageBytes });
  const connected = new WeakMap<WebSocket, ConnectedDevice>();
  const adapter = new GuardedWebSocketServerAdapter(
    wss,
    connected,
    policy,
    options.keepAliveIntervalMs,
  );

  const refuse = (socket: Duplex, status: 400 | 401 | 404 | 500, text: string): void => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://localhost");
    } catch {
      refuse(socket, 400, "Bad Request");
      return;
    }
    if (url.pathname !== SYNC_PATH) {
      refuse(socket, 404, "Not Found");
      return;
    }
    const device = devices.verify(url.searchParams.get("token") ?? "");
    if (device === null) {
      logger.warn(
        { remote: request.socket.remoteAddress },
        "sync connection refused: unknown or revoked device token",
      );
      refuse(socket, 401, "Unauthorized");
      return;
    }
    const who: ConnectedDevice = {
      registerId: device.registerId,
      deviceId: `${device.registerId}@${device.activatedAt}`,
    };
    policy.prepare(device.registerId).then(
      () => {
        // The token may have been revoked while the grant was computed.
        if (devices.verify(url.searchParams.get("token") ?? "") === null) {
          refuse(socket, 401, "Unauthorized");
          return;
        }
        wss.handleUpgrade(request, socket, head, (ws) => {
          connected.set(ws, who);
          // ws reports a frame over maxPayload, or a protocol error, as an "error" event and then
          // closes the socket: unhandled, that event would end the server process.
          ws.on("error", (error: Error & { code?: string }) =>
            logger.warn(
              {
                registerId: who.registerId,
                deviceId: who.deviceId,
                code: error.code,
                err: error.message,
                limitBytes: policy.maxMessageBytes,
              },
              "sync connection closed on a bad frame (over POS_MAX_MESSAGE_BYTES or not WebSocket)",
            ),
          );
          logger.info(
            { registerId: who.registerId, deviceId: who.deviceId },
            "register connected for sync",
          );
          ws.once("close", (code) =>
            logger.info(
              { registerId: who.registerId, deviceId: who.deviceId, code },
              "register sync connection closed",
            ),
          );
          wss.emit("connection", ws, request);
        });
      },
      (error: unknown) => {
        logger.error({ err: error, registerId: who.registerId }, "could not prepare write policy");
        refuse(socket, 500, "Internal Server Error");
      },
    );
  };

  return {
    adapter,
    attach(server) {
      server.on("upgrade", onUpgrade);
    },
    disconnectRegister(registerId) {
      return adapter.disconnectRegister(registerId);
    },
    connectionCount() {
      return wss.clients.size;
    },
    close() {
      for (const socket of wss.clients) socket.terminate();
      return new Promise<void>((done) => wss.close(() => done()));
    },
  };
}
