import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReceiptNumber } from "../../domain/receipt-number.ts";
import type { ConnectionClock } from "../../replication/connection/connection-controller-driver.ts";
import {
  activateNodeRegister,
  type DeviceIdentity,
  type NodeRegister,
  startNodeRegister,
} from "../../replication/register/node-register.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
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

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
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
    const response = await fetch(`${server.url}/api/back-office/devices/R1/codes`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const { code } = (await response.json()) as { code: string };
    dataDir = await temporaryDirectory("days-register");
    identity = await activateNodeRegister({
      serverUrl: server.url,
      dataDir,
      registerId: "R1",
      code,
    });
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

    const journal = (await (
      await fetch(`${server.url}/api/journal`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
    ).json()) as { sales: { receiptNumber: string }[] };
    expect(journal.sales.map((sale) => sale.receiptNumber).sort()).toEqual(
      [yesterdayReceipt, todayReceipt].sort(),
    );
  });
});
