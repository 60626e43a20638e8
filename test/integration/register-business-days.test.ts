import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReceiptNumber } from "../../domain/receipt-number.ts";
import type { ConnectionClock } from "../../replication/connection/connection-controller-driver.ts";
import {
  type DeviceIdentity,
  type NodeRegister,
  startNodeRegister,
} from "../../replication/register/node-register.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import { activateRegister, fetchJournal, until } from "../support/registers.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

const ADMIN_TOKEN = "business-days-admin-token-0123456789";
const DAY_MS = 86_400_000;

function shiftedClock(offsetMs: number): ConnectionClock {
  return {
    now: () => Date.now() + offsetMs,
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

describe("a register across business days and restarts", () => {
  let server: ServerProcess;
  let dataDir: string;
  let identity: DeviceIdentity;
  let register: NodeRegister | undefined;
  const demo = createDemoStore(1, { pinIterations: 1_000 });

  beforeAll(async () => {
    server = await startServerProcess({
      dataDir: await temporaryDirectory("days-server"),
      env: { POS_ADMIN_TOKEN: ADMIN_TOKEN, POS_DISTRIBUTION_INTERVAL_MS: "0" },
    });
    ({ identity, dataDir } = await activateRegister(server, "R1", ADMIN_TOKEN));
  });

  afterAll(async () => {
    await register?.close();
    await server?.kill("SIGKILL");
  });

  async function sellOne(clock: ConnectionClock, barcode: string): Promise<string> {
    register = await startNodeRegister({ serverUrl: server.url, dataDir, identity, clock });
    const session = register.session;
    await until("provisioning", () => session.view().provisioning.ready);
    expect((await session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);
    expect((await session.scan(barcode)).ok).toBe(true);
    expect((await session.pay("cash", 100_000)).ok).toBe(true);
    expect((await session.completeSale()).ok).toBe(true);
    await until("posted", () => session.view().connection.pendingUploadSales === 0);
    const receipt = session.state.lastCompletedSale!.receiptNumber;
    const lastSeq = session.state.lastSeq;
    await register.close();
    register = undefined;
    return `${receipt}#${lastSeq}`;
  }

  it("continues the event sequence and receipt numbers on the next day, never reusing one", async () => {
    const products = (await demo).products;
    const yesterday = await sellOne(shiftedClock(-DAY_MS), products[0]!.barcodes[0]!);
    const today = await sellOne(shiftedClock(0), products[1]!.barcodes[0]!);
    const [yesterdayReceipt, yesterdaySeq] = yesterday.split("#") as [string, string];
    const [todayReceipt, todaySeq] = today.split("#") as [string, string];

    expect(parseReceiptNumber(todayReceipt)?.sequence).toBe(
      (parseReceiptNumber(yesterdayReceipt)?.sequence ?? 0) + 1,
    );
    expect(Number(todaySeq)).toBeGreaterThan(Number(yesterdaySeq));

    const journal = await fetchJournal(server, ADMIN_TOKEN);
    expect(journal.map((sale) => sale.receiptNumber).sort()).toEqual(
      [yesterdayReceipt, todayReceipt].sort(),
    );
  });
});
