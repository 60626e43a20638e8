import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type PeerId, Repo } from "@automerge/automerge-repo";
import type { PosEvent } from "../../domain/events.ts";
import { ServerLinkAdapter } from "../../replication/network/server-link-adapter.ts";
import { shutdownRepo } from "../../replication/storage/shutdown-repo.ts";
import { ADMIN_TOKEN_FILE, SERVER_PEER_ID } from "../../src/server/main.ts";
import { until } from "../support/registers.ts";
import type { ServerProcess } from "../support/server-process.ts";

/** Helpers the server integration tests share: HTTP calls, activation, a register-side repo. */

export async function adminHeaders(server: ServerProcess): Promise<Record<string, string>> {
  const token = (await readFile(join(server.dataDir, ADMIN_TOKEN_FILE), "utf8")).trim();
  return { authorization: `Bearer ${token}` };
}

export async function call(
  server: ServerProcess,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
}

/** Issues a code in the back office and activates the register with it. */
export async function activate(
  server: ServerProcess,
  registerId: string,
): Promise<{ registerId: string; storeId: string; token: string }> {
  const admin = await adminHeaders(server);
  const issued = await call(server, `/api/back-office/devices/${registerId}/codes`, {
    method: "POST",
    headers: admin,
  });
  if (issued.status !== 201) throw new Error(`code not issued: ${issued.status}`);
  const { code } = (await issued.json()) as { code: string };
  const activated = await call(server, "/api/devices/activate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ registerId, code }),
  });
  if (activated.status !== 200) throw new Error(`activation refused: ${activated.status}`);
  return (await activated.json()) as { registerId: string; storeId: string; token: string };
}

/** A register-side repo (no storage) connected to the server's sync endpoint. */
export type SyncClient = {
  readonly repo: Repo;
  readonly adapter: ServerLinkAdapter;
  /** Resolves once the server peer is connected. */
  connected(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

export function connectSyncClient(
  server: ServerProcess,
  token: string,
  peerId: string,
  retryIntervalMs = 200,
): SyncClient {
  const adapter = new ServerLinkAdapter(
    `ws://127.0.0.1:${server.port}/sync?token=${encodeURIComponent(token)}`,
    { retryIntervalMs },
  );
  const repo = new Repo({ network: [adapter], peerId: peerId as PeerId });
  return {
    repo,
    adapter,
    connected: (timeoutMs = 10_000) =>
      waitFor(() => repo.peers.includes(SERVER_PEER_ID as PeerId), timeoutMs, "server peer"),
    close: () => shutdownRepo(repo),
  };
}

/** Polls `condition` (sync or async) every 25 ms until true; rejects after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await until(what, condition, timeoutMs, 25);
}

/** The nine events of one completed cash sale on `registerId`, from `firstSeq`, at `at`. */
export function completedSaleEvents(
  registerId: string,
  firstSeq: number,
  saleId: string,
  at: number,
): PosEvent[] {
  let seq = firstSeq;
  const meta = () => {
    const s = seq++;
    return { id: `${registerId}-${saleId}-e${s}`, registerId, seq: s, at: at + s };
  };
  const events: PosEvent[] = [
    {
      ...meta(),
      type: "SaleStarted",
      saleId,
      receiptNumber: `S1-${registerId}-${firstSeq}`,
      storeId: "S1",
      operatorId: "1001",
      shiftId: null,
      pricesIncludeTax: true,
    },
  ];
  for (let i = 0; i < 2; i++) {
    events.push({
      ...meta(),
      type: "LineAdded",
      saleId,
      lineId: `${saleId}-l${i}`,
      productId: `P0000${i + 1}`,
      name: `Product ${i + 1}`,
      barcode: null,
      quantity: 1,
      unitPrice: 250,
      taxGroupId: "STD",
      taxRateBp: 2000,
    });
  }
  events.push(
    {
      ...meta(),
      type: "PaymentAdded",
      saleId,
      paymentId: `${saleId}-p`,
      tenderTypeId: "CASH",
      tenderKind: "cash",
      amount: 1000,
      reference: null,
    },
    { ...meta(), type: "SaleCompleted", saleId, total: 500, tax: 83, changeDue: 500 },
  );
  return events;
}
