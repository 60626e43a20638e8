import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeRegister, startNodeRegister } from "../../replication/register/node-register.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import { activateRegister, until } from "../support/registers.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

const ADMIN_TOKEN = "operation-917-admin-token-0123456789";
const RECONNECT_INTERVAL_MS = 1_000;

async function startRegister(
  server: ServerProcess,
  registerId: string,
  options: { readonly provisionAfterFirstSignIn?: boolean } = {},
): Promise<NodeRegister> {
  const { identity, dataDir } = await activateRegister(server, registerId, ADMIN_TOKEN);
  return startNodeRegister({ serverUrl: server.url, dataDir, identity, ...options });
}

describe("operation 917 and online-only operations on a Node register", () => {
  let server: ServerProcess;
  let register: NodeRegister;
  const demo = createDemoStore(1, { pinIterations: 1_000 });

  beforeAll(async () => {
    server = await startServerProcess({
      dataDir: await temporaryDirectory("op917-server"),
      env: {
        POS_ADMIN_TOKEN: ADMIN_TOKEN,
        POS_DEMO_SWITCH_TIMEOUT_MS: "1000",
        POS_DEMO_RECONNECT_INTERVAL_MS: String(RECONNECT_INTERVAL_MS),
        POS_DISTRIBUTION_INTERVAL_MS: "0",
      },
    });
    register = await startRegister(server, "R1");
    await until("provisioning", () => register.session.view().provisioning.ready);
    expect((await register.session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);
  });

  afterAll(async () => {
    await register?.close();
    await server?.kill("SIGKILL");
  });

  it("Disconnect stays offline across transactions until Connect, which is refused mid-sale", async () => {
    const session = register.session;
    const products = (await demo).products;
    const scan = (i: number) => session.scan(products[i]!.barcodes[0]!);

    // Product search reads the register's own index: by name words, barcode or id.
    const wanted = products[4]!;
    const byName = await session.searchProducts(wanted.name.toUpperCase());
    expect(byName.map((hit) => hit.id)).toContain(wanted.id);
    expect((await session.searchProducts(wanted.barcodes[0]!))[0]?.id).toBe(wanted.id);

    expect(session.view().operation917Label).toBe("Disconnect");
    expect((await session.operation917()).ok).toBe(true);
    expect(session.mode).toBe("offline-manual");
    expect(session.view().operation917Label).toBe("Connect");

    // Two whole transactions after the reconnect interval: no automatic reconnect.
    for (let sale = 0; sale < 2; sale++) {
      await new Promise((done) => setTimeout(done, RECONNECT_INTERVAL_MS + 100));
      expect((await scan(sale)).ok).toBe(true);
      expect((await session.pay("cash", 100_000)).ok).toBe(true);
      expect((await session.completeSale()).ok).toBe(true);
      expect(session.mode).toBe("offline-manual");
    }
    expect(session.view().connection.pendingUploadSales).toBe(2);

    // Online-only operations are refused offline, naming the operation.
    expect((await scan(3)).ok).toBe(true);
    const giftCard = await session.pay("gift-card", 100);
    expect(giftCard).toMatchObject({ ok: false, code: "ONLINE_OPERATION_UNAVAILABLE" });
    expect(giftCard.ok ? "" : giftCard.message).toMatch(/gift card/i);

    // Connect is refused while the sale is open, with the reason.
    const midSale = await session.operation917();
    expect(midSale.ok).toBe(false);
    expect(midSale.ok ? "" : midSale.message).toMatch(/sale/i);
    expect(session.mode).toBe("offline-manual");

    expect((await session.pay("cash", 100_000)).ok).toBe(true);
    expect((await session.completeSale()).ok).toBe(true);

    // The X report works offline, from the register's own events.
    const report = await session.xReport();
    const totals = session.events.flatMap((event) =>
      event.type === "SaleCompleted" ? [event.total] : [],
    );
    expect(report.salesCount).toBe(totals.length);
    expect(report.netSales).toBe(totals.reduce((sum, total) => sum + total, 0));
    expect(report.byTender).toEqual([
      { tenderKind: "cash", count: totals.length, amount: report.netSales },
    ]);

    // Connect between sales probes at once and uploads what is pending.
    expect((await session.operation917()).ok).toBe(true);
    expect(session.mode).toBe("online");
    expect(session.view().operation917Label).toBe("Disconnect");
    await until("pending drained", () => session.view().connection.pendingUploadSales === 0);
    const reasons = session.events.flatMap((event) =>
      event.type === "ModeChanged" ? [`${event.from}->${event.to}:${event.reason}`] : [],
    );
    expect(reasons).toEqual(["online->offline:manual", "offline->online:manual"]);
  });

  it("starts offline provisioning at the first sign-in when the register is set to wait for it", async () => {
    const waiting = await startRegister(server, "R2", { provisionAfterFirstSignIn: true });
    try {
      const session = waiting.session;
      // The store configuration arrives (sign-in would work), but no master data downloads.
      await until("configured", () => session.view().storeName !== "");
      await new Promise((done) => setTimeout(done, 1_500));
      expect(session.view().provisioning).toMatchObject({ appliedSeq: 0, rowsApplied: 0 });
      expect((await session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);
      await until("provisioning", () => session.view().provisioning.ready);
      expect(session.view().provisioning.rowsApplied).toBeGreaterThan(2_000);
    } finally {
      await waiting.close();
    }
  });

  it("a register without offline support sells online, then says the server is unavailable and refuses a new sale", async () => {
    const online = await startRegister(server, "R3");
    try {
      const session = online.session;
      await until("provisioning", () => session.view().provisioning.ready);
      expect(session.view().offlineSupport).toBe(false);
      expect((await session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);
      const refused = await session.operation917();
      expect(refused.ok).toBe(false);
      const products = (await demo).products;
      const sold = await session.scan(products[0]!.barcodes[0]!);
      expect(sold.ok).toBe(true);
      expect((await session.pay("card", session.view().sale!.due)).ok).toBe(true);
      expect((await session.completeSale()).ok).toBe(true);
      await until("posted", () => session.view().connection.pendingUploadSales === 0);

      // The server goes away: the open sale still completes, the next one is refused.
      await server.kill("SIGKILL");
      expect((await session.scan(products[1]!.barcodes[0]!)).ok).toBe(true);
      await until("unavailable", () => session.mode === "unavailable", 5_000);
      expect(session.view().connection.mode).toBe("unavailable");
      expect((await session.pay("card", session.view().sale!.due)).ok).toBe(true);
      expect((await session.completeSale()).ok).toBe(true);
      const next = await session.scan(products[2]!.barcodes[0]!);
      expect(next).toMatchObject({ ok: false, code: "SERVER_UNAVAILABLE" });
      expect(session.view().message).toMatch(/unavailable/i);
    } finally {
      await online.close();
    }
  });
});
