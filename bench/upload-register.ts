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
import { offlineSales } from "./sales.ts";
import { startClientRepo, waitForPeer } from "./support.ts";

/**
 * The register of the upload figure, in a process of its own as a register is a device of its
 * own: it connects to the hub, loses its link, records its offline sales in its day log (one
 * Automerge change per command), then obeys the parent one line at a time on stdin:
 *
 * - `heal`: its link comes back, and automerge-repo uploads the log (ours);
 * - `post`: it POSTs the same events as one JSON array to the baseline's URL (the baseline);
 * - `stop`: it shuts its repo down and exits.
 *
 * It answers on stdout with one JSON line when its sales are recorded
 * (`{"ready": true, "events": n, "appendMs": ms}`), and one per `post`
 * (`{"posted": true, "status": code}`).
 */

/** What the register reports on stdout. */
export type UploadRegisterReport =
  | { readonly ready: true; readonly events: number; readonly appendMs: number }
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
  sales: number,
): Promise<void> {
  // The first fetch in a process loads Node's HTTP client: done here, as the register's
  // WebSocket is connected before its clock starts.
  await post(baselineUrl, []);
  const batches: readonly (readonly PosEvent[])[] = offlineSales(key.registerId, sales);
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
  link.cut();
  const log = await openSalesLog(repo, key);
  const appendStarted = performance.now();
  for (const batch of batches) appendToSalesLog(log, batch);
  const appendMs = performance.now() - appendStarted;
  // A register back from an outage saved its log long ago: save it now, before the clock starts.
  await repo.flush();
  say({ ready: true, events: batches.reduce((sum, batch) => sum + batch.length, 0), appendMs });

  for await (const line of createInterface({ input: process.stdin })) {
    const command = line.trim();
    if (command === "heal") {
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
