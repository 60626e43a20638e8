import { join } from "node:path";
import { createInterface } from "node:readline";
import type { PosEvent } from "../domain/events.ts";
import {
  appendToSalesLog,
  openSalesLog,
  type SalesLogKey,
} from "../replication/documents/sales-log.ts";
import { PartitionableNetworkAdapter } from "../replication/network/partitionable-network-adapter.ts";
import { AtomicNodeFSStorageAdapter } from "../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../replication/storage/shutdown-repo.ts";
import { BenchRegister, SALES_CATALOG_SIZE } from "./sales.ts";
import { startClientRepo, waitForPeer } from "./support.ts";

/**
 * The register of the upload figure, in a process of its own as a register is a device of its
 * own. It connects to the hub and sells online for a while (its sales reach the server as they
 * are made), then obeys the parent one line at a time on stdin:
 *
 * - `cut`: its link goes down and it records its offline sales in its day log (one Automerge
 *   change per command), saves them, and reports `ready`;
 * - `heal`: its link comes back, and automerge-repo uploads the log (ours);
 * - `post`: it POSTs the same events as one JSON array to the baseline's URL (the baseline);
 * - `stop`: it shuts its repo down and exits.
 *
 * It answers on stdout with one JSON line once its online sales are made
 * (`{"online": true, "events": n}`), once its offline sales are recorded
 * (`{"ready": true, "commands": n, "events": n, "appendMs": ms}`), and once per `post`
 * (`{"posted": true, "status": code}`).
 */

/** What the register reports on stdout. */
export type UploadRegisterReport =
  | { readonly online: true; readonly events: number }
  | {
      readonly ready: true;
      readonly commands: number;
      readonly events: number;
      readonly appendMs: number;
    }
  | { readonly posted: true; readonly status: number };

function say(report: UploadRegisterReport): void {
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** POSTs events to the baseline's server and returns the status once the answer is read. */
async function post(url: string, events: readonly PosEvent[]): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(events),
  });
  await response.arrayBuffer();
  return response.status;
}

export async function uploadRegister(
  hubUrl: string,
  baselineUrl: string,
  dataDirectory: string,
  key: SalesLogKey,
  onlineSales: number,
  offlineSales: number,
): Promise<void> {
  // The first fetch in a process loads Node's HTTP client: done here, as the register's
  // WebSocket is connected before its clock starts.
  await post(baselineUrl, []);
  const seller = new BenchRegister(key.registerId);
  const sell = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => seller.sell(from + i, SALES_CATALOG_SIZE)).flat();
  const online = sell(0, onlineSales);
  const batches = sell(onlineSales, offlineSales);
  const count = (list: readonly (readonly PosEvent[])[]) =>
    list.reduce((sum, batch) => sum + batch.length, 0);
  let link: PartitionableNetworkAdapter | undefined;
  const repo = startClientRepo({
    url: hubUrl,
    storage: new AtomicNodeFSStorageAdapter(join(dataDirectory, "register")),
    wrap: (socket) => {
      link = new PartitionableNetworkAdapter(socket, { transport: "restart" });
      return link;
    },
  });
  if (link === undefined) throw new Error("the register's link was not created");
  await waitForPeer(repo);
  const log = await openSalesLog(repo, key);
  for (const batch of online) appendToSalesLog(log, batch);
  say({ online: true, events: count(online) });

  for await (const line of createInterface({ input: process.stdin })) {
    const command = line.trim();
    if (command === "cut") {
      link.cut();
      const appendStarted = performance.now();
      for (const batch of batches) appendToSalesLog(log, batch);
      const appendMs = performance.now() - appendStarted;
      // A register back from an outage saved its log long ago: save it before the clock starts.
      await repo.flush();
      say({ ready: true, commands: batches.length, events: count(batches), appendMs });
    } else if (command === "heal") {
      link.heal();
    } else if (command === "post") {
      say({ posted: true, status: await post(baselineUrl, batches.flat()) });
    } else if (command === "stop") {
      break;
    } else {
      throw new Error(`the upload register does not know the command "${line}"`);
    }
  }
  await shutdownRepo(repo).catch(() => undefined);
  process.exit(0);
}
