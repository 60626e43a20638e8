import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeRegister, startNodeRegister } from "../../replication/register/node-register.ts";
import type { RegisterView } from "../../replication/register/register-view.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import { activateRegister, fetchJournal, until } from "../support/registers.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

const SWITCH_TIMEOUT_MS = 1_000;
/** Long on purpose: the test moves the register's clock past it instead of waiting. */
const RECONNECT_INTERVAL_MS = 60_000;
const ADMIN_TOKEN = "integration-admin-token-0123456789";

const serverEnv = {
  POS_ADMIN_TOKEN: ADMIN_TOKEN,
  POS_DEMO_SWITCH_TIMEOUT_MS: String(SWITCH_TIMEOUT_MS),
  POS_DEMO_RECONNECT_INTERVAL_MS: String(RECONNECT_INTERVAL_MS),
  POS_DISTRIBUTION_INTERVAL_MS: "0",
};

describe("register failover with a real server process", () => {
  let dataDir: string;
  let registerDir: string;
  let server: ServerProcess;
  let register: NodeRegister;
  /** Added to the register's clock: how the test lets the reconnect interval pass. */
  let clockOffsetMs = 0;
  const demo = createDemoStore(1, { pinIterations: 1_000 });

  beforeAll(async () => {
    dataDir = await temporaryDirectory("failover-server");
    registerDir = await temporaryDirectory("failover-register");
    server = await startServerProcess({ dataDir, env: serverEnv });
    const { identity } = await activateRegister(server, "R1", ADMIN_TOKEN, registerDir);
    register = await startNodeRegister({
      serverUrl: server.url,
      dataDir: registerDir,
      identity,
      clock: {
        now: () => Date.now() + clockOffsetMs,
        setTimeout: (callback, ms) => setTimeout(callback, ms),
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
    });
  });

  afterAll(async () => {
    await register?.close();
    await server?.kill("SIGKILL");
  });

  it("switches offline mid-sale within the switch timeout, sells on, and reconnects only at a transaction start", async () => {
    const session = register.session;
    await until("provisioning", () => session.view().provisioning.ready);
    expect((await session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);
    const products = (await demo).products;
    const barcode = (i: number) => products[i]!.barcodes[0]!;

    // An online sale: each command is confirmed by the server's posting record.
    expect((await session.scan(barcode(0))).ok).toBe(true);
    expect((await session.scan(barcode(1))).ok).toBe(true);
    expect(session.mode).toBe("online");
    expect((await session.pay("cash", 100_000)).ok).toBe(true);
    expect((await session.completeSale()).ok).toBe(true);
    const firstReceipt = session.state.lastCompletedSale!.receiptNumber;
    await until("first sale posted", () => session.view().connection.pendingUploadSales === 0);

    // Mid-sale, the server dies.
    expect((await session.scan(barcode(2))).ok).toBe(true);
    await server.kill("SIGKILL");
    const killedAt = Date.now();
    const commandStarted = performance.now();
    expect((await session.scan(barcode(3))).ok).toBe(true);
    expect(performance.now() - commandStarted).toBeLessThan(200);
    await until("offline", () => session.mode === "offline", SWITCH_TIMEOUT_MS + 2_000);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(SWITCH_TIMEOUT_MS + 250);

    // The sale goes on offline; nothing the cashier entered is lost.
    expect(session.view().sale?.lines.length).toBe(2);
    expect((await session.scan(barcode(4))).ok).toBe(true);
    expect((await session.pay("cash", 100_000)).ok).toBe(true);
    expect((await session.completeSale()).ok).toBe(true);
    const secondReceipt = session.state.lastCompletedSale!.receiptNumber;
    expect(session.view().connection.pendingUploadSales).toBe(1);

    // The server comes back on the same port; a sale started before the interval stays offline.
    server = await startServerProcess({ dataDir, port: server.port, env: serverEnv });
    expect((await session.scan(barcode(5))).ok).toBe(true);
    expect(session.mode).toBe("offline");
    const modes: RegisterView["connection"]["mode"][] = [];
    const unsubscribe = session.subscribe((view) => modes.push(view.connection.mode));
    // The interval passes in the middle of this sale: still no reconnect until it ends.
    clockOffsetMs += RECONNECT_INTERVAL_MS + 1_000;
    expect((await session.scan(barcode(6))).ok).toBe(true);
    await new Promise((done) => setTimeout(done, 500));
    expect(modes.filter((mode) => mode !== "offline")).toEqual([]);
    expect(session.mode).toBe("offline");
    expect((await session.pay("cash", 100_000)).ok).toBe(true);
    expect((await session.completeSale()).ok).toBe(true);
    const thirdReceipt = session.state.lastCompletedSale!.receiptNumber;
    unsubscribe();

    // The next transaction start after the interval probes and goes online; everything uploads.
    expect((await session.scan(barcode(7))).ok).toBe(true);
    expect(session.mode).toBe("online");
    await until("pending drained", () => session.view().connection.pendingUploadSales === 0);
    const sales = await until("journal complete", async () => {
      const entries = await fetchJournal(server, ADMIN_TOKEN);
      return entries.length >= 3 && entries;
    });
    const receipts = sales.map((sale) => sale.receiptNumber).sort();
    expect(receipts).toEqual([firstReceipt, secondReceipt, thirdReceipt].sort());

    // The audit trail has the switch and the reconnect.
    const modeEvents = session.events.filter((event) => event.type === "ModeChanged");
    expect(modeEvents.map((event) => event.type === "ModeChanged" && event.reason)).toEqual([
      "timeout",
      "reconnect",
    ]);
  });
});
