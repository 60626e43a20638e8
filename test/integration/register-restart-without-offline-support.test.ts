import { randomUUID } from "node:crypto";
import type { PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../replication/connection/connection-controller-driver.ts";
import { MemoryMasterDataIndex } from "../../replication/master-data/memory-master-data-index.ts";
import { PartitionableNetworkAdapter } from "../../replication/network/partitionable-network-adapter.ts";
import { ServerLinkAdapter } from "../../replication/network/server-link-adapter.ts";
import {
  type DeviceIdentity,
  httpServerGateway,
  type NodeRegister,
  startNodeRegister,
} from "../../replication/register/node-register.ts";
import { RegisterSession } from "../../replication/register/register-session.ts";
import { shutdownRepo } from "../../replication/storage/shutdown-repo.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import { activateRegister, fetchJournal, until } from "../support/registers.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

const ADMIN_TOKEN = "restart-no-offline-admin-token-0123456789";

/**
 * A register without offline support keeps nothing on its device: after a restart (a reload of
 * the register page) its day's earlier sales exist only on the retail server. It must carry on
 * their sequence and receipt numbers, never start them again, even when the server's copy of its
 * sales log arrives after the register opened; and every sale must reach the journal once.
 */
describe("a register without offline support, restarted", () => {
  let server: ServerProcess;
  let identity: DeviceIdentity;
  let dataDir: string;
  const demo = createDemoStore(1, { pinIterations: 1_000 });

  beforeAll(async () => {
    server = await startServerProcess({
      dataDir: await temporaryDirectory("restart-no-offline-server"),
      env: {
        POS_ADMIN_TOKEN: ADMIN_TOKEN,
        POS_DEMO_SWITCH_TIMEOUT_MS: "1000",
        POS_DISTRIBUTION_INTERVAL_MS: "0",
      },
    });
    ({ identity, dataDir } = await activateRegister(server, "R3", ADMIN_TOKEN));
  });

  afterAll(async () => {
    await server?.kill("SIGKILL");
  });

  /** Sells one product by card, retrying while the register is still loading its day. */
  async function sell(session: RegisterSession, productIndex: number): Promise<string> {
    const barcode = (await demo).products[productIndex]!.barcodes[0]!;
    await until("a sale can start", async () => {
      const scanned = await session.scan(barcode);
      if (!scanned.ok && scanned.code !== "SALES_LOG_LOADING") {
        throw new Error(`scan refused: ${scanned.code} ${scanned.message}`);
      }
      return scanned.ok;
    });
    expect((await session.pay("card", session.view().sale!.due)).ok).toBe(true);
    expect((await session.completeSale()).ok).toBe(true);
    await until("posted", () => session.view().connection.pendingUploadSales === 0);
    return session.state.lastCompletedSale!.receiptNumber;
  }

  async function start(): Promise<NodeRegister> {
    const register = await startNodeRegister({ serverUrl: server.url, dataDir, identity });
    await until("provisioned", () => register.session.view().provisioning.ready);
    expect((await register.session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);
    return register;
  }

  it("carries on its receipt numbers when the server's copy of its log arrives after it opened", async () => {
    const first = await start();
    const earlier = [await sell(first.session, 0), await sell(first.session, 1)];
    await first.close();
    expect(earlier).toEqual(["S1-R3-000001", "S1-R3-000002"]);

    // The register opens while its sync link is down, so its sales log is empty at first.
    const wsUrl = new URL(`/sync?token=${encodeURIComponent(identity.token)}`, server.url);
    wsUrl.protocol = "ws:";
    const link = new PartitionableNetworkAdapter(
      new ServerLinkAdapter(wsUrl.toString(), { retryIntervalMs: 1_000 }),
      { transport: "restart" },
    );
    const repo = new Repo({
      peerId: `register/R3/${randomUUID()}` as PeerId,
      network: [link],
      sharePolicy: async () => true,
    });
    link.cut();
    const session = await RegisterSession.open({
      storeId: identity.storeId,
      registerId: "R3",
      repo,
      link,
      index: new MemoryMasterDataIndex(),
      server: httpServerGateway(server.url),
      clock: systemClock,
      newId: randomUUID,
    });
    try {
      expect(session.events).toHaveLength(0);
      link.heal();
      await until("provisioned", () => session.view().provisioning.ready);
      expect((await session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);
      const later = await sell(session, 2);
      expect(later).toBe("S1-R3-000003");
      expect(session.events.map((event) => event.seq)).toEqual(session.events.map((_, i) => i + 1));
    } finally {
      await session.close();
      await shutdownRepo(repo);
    }

    // And once more through a plain restart.
    const third = await start();
    try {
      expect(await sell(third.session, 3)).toBe("S1-R3-000004");
    } finally {
      await third.close();
    }
    const journal = await until("four R3 sales in the journal", async () => {
      const sales = (await fetchJournal(server, ADMIN_TOKEN)).filter((s) => s.registerId === "R3");
      return sales.length >= 4 ? sales : null;
    });
    expect(journal.map((sale) => sale.receiptNumber).sort()).toEqual([
      "S1-R3-000001",
      "S1-R3-000002",
      "S1-R3-000003",
      "S1-R3-000004",
    ]);
  });
});
