import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Repo } from "@automerge/automerge-repo";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChannelProjection } from "../../../domain/channel-projection.ts";
import type { PosEvent } from "../../../domain/events.ts";
import {
  openStoreConfiguration,
  writeStoreConfiguration,
} from "../../../replication/documents/store-configuration.ts";
import { readMasterDataLog } from "../../../replication/master-data/master-data-log.ts";
import { decodePackage } from "../../../replication/master-data/package-codec.ts";
import { StagingArea } from "../../../replication/master-data/staging-area.ts";
import { BackOffice } from "../../../src/server/back-office.ts";
import { loadServerConfig } from "../../../src/server/config.ts";
import { createDemoStore } from "../../../src/server/demo-store.ts";
import { DeviceRegistry } from "../../../src/server/device-registry.ts";
import { createApp } from "../../../src/server/http/app.ts";
import {
  demoMasterDataRows,
  demoStoreConfiguration,
} from "../../../src/server/master-data/demo-master-data.ts";
import { completedSaleEvents } from "../../integration/server-test-client.ts";

const ADMIN = "admin-secret-for-channel-tests";
const admin = { authorization: `Bearer ${ADMIN}` };
let dataDir: string;
let repo: Repo;
let devices: DeviceRegistry;
let projection: ChannelProjection;
let backOffice: BackOffice;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pos-http-channel-"));
  const config = loadServerConfig({ POS_DATA_DIR: dataDir, POS_ADMIN_TOKEN: ADMIN });
  const logger = pino({ level: "silent" });
  devices = await DeviceRegistry.open({ dataDir, now: Date.now, activationCodeTtlMs: 60_000 });
  repo = new Repo({ network: [] });
  const demo = await createDemoStore(1, { productCount: 20, pinIterations: 1_000 });
  const configuration = await openStoreConfiguration(repo, demo.store.id);
  writeStoreConfiguration(configuration, demoStoreConfiguration(demo, 1));
  const staging = new StagingArea();
  await staging.stageRows(demoMasterDataRows(demo));
  backOffice = await BackOffice.open({
    repo,
    storeId: demo.store.id,
    configuration,
    staging,
    clock: () => 1_700_000_000_000,
    logger,
  });
  await backOffice.distribute({ full: true });
  projection = new ChannelProjection();
  const staticRoot = join(dataDir, "dist");
  await mkdir(join(staticRoot, "manager"), { recursive: true });
  await mkdir(join(staticRoot, "assets"), { recursive: true });
  await writeFile(join(staticRoot, "index.html"), "<title>Register</title>");
  await writeFile(join(staticRoot, "manager", "index.html"), "<title>Manager</title>");
  await writeFile(join(staticRoot, "sw.js"), "self.addEventListener('install', () => {});");
  await writeFile(join(staticRoot, "assets", "automerge.wasm"), new Uint8Array([0, 97, 115, 109]));
  app = createApp({
    config,
    logger,
    devices,
    storeId: demo.store.id,
    channel: projection,
    backOffice,
    staticRoot,
    isKnownRegister: (id) => ["R1", "R2", "R3"].includes(id),
    catalog: {
      references: () => backOffice.catalogReferences(),
      stage: (products) => backOffice.stageProducts(products),
    },
  });
});
afterEach(async () => {
  await repo.shutdown();
  await rm(dataDir, { recursive: true, force: true });
});

async function deviceToken(registerId: string): Promise<string> {
  const { code } = await devices.issueActivationCode(registerId);
  const response = await app.request("/api/devices/activate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ registerId, code }),
  });
  const body = (await response.json()) as { token: string; storeId: string };
  expect(body.storeId).toBe("S1");
  return body.token;
}

function patch(path: string, body: unknown, headers: Record<string, string> = admin) {
  return app.request(path, {
    method: "PATCH",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

function shiftEvents(): PosEvent[] {
  const at = 1_700_000_000_000;
  const base = { registerId: "R1" };
  const opened: PosEvent = {
    ...base,
    id: "R1-open",
    seq: 1,
    at,
    type: "ShiftOpened",
    shiftId: "SH1",
    operatorId: "1001",
    openingFloat: 10_000,
  };
  const sale = completedSaleEvents("R1", 2, "sale-a", at).map((event) =>
    event.type === "SaleStarted" ? { ...event, shiftId: "SH1" } : event,
  );
  const closed: PosEvent = {
    ...base,
    id: "R1-close",
    seq: 2 + sale.length,
    at: at + 100,
    type: "ShiftClosed",
    shiftId: "SH1",
    operatorId: "1001",
  };
  return [opened, ...sale, closed];
}

describe("channel views", () => {
  it("serve the journal, X and Z reports and stock to a device or the back office", async () => {
    projection.ingestAll(shiftEvents());
    const token = await deviceToken("R1");
    for (const headers of [admin, { authorization: `Bearer ${token}` }]) {
      const journal = await app.request("/api/journal", { headers });
      expect(journal.status).toBe(200);
      const body = (await journal.json()) as { sales: Record<string, unknown>[] };
      expect(body.sales).toHaveLength(1);
      expect(body.sales[0]).toMatchObject({
        receiptNumber: "S1-R1-2",
        registerId: "R1",
        total: 500,
      });
      expect(body.sales[0]).toHaveProperty("lines");
      expect(body.sales[0]).toHaveProperty("payments");
      expect(body.sales[0]).toHaveProperty("completedAt");
    }
    const x = await app.request("/api/reports/x?registerId=R1&shiftId=SH1", { headers: admin });
    await expect(x.json()).resolves.toMatchObject({
      report: { shiftId: "SH1", status: "closed", salesCount: 1, openingFloat: 10_000 },
    });
    const z = await app.request("/api/reports/z?registerId=R1&shiftId=SH1", { headers: admin });
    expect(z.status).toBe(200);
    const stock = await app.request("/api/stock", { headers: admin });
    await expect(stock.json()).resolves.toEqual({ stock: { P00001: -1, P00002: -1 } });
  });

  it("refuse a Z report of an open or unknown shift, and malformed queries", async () => {
    const z = await app.request("/api/reports/z?registerId=R1&shiftId=NOPE", { headers: admin });
    expect(z.status).toBe(409);
    await expect(z.json()).resolves.toMatchObject({ error: { code: "POS_REPORT_001" } });
    const noShift = await app.request("/api/reports/z?registerId=R1", { headers: admin });
    expect(noShift.status).toBe(400);
    const noRegister = await app.request("/api/reports/x", { headers: admin });
    expect(noRegister.status).toBe(400);
  });

  it("refuse requests without a device or admin token", async () => {
    for (const path of ["/api/journal", "/api/stock", "/api/reports/x?registerId=R1"]) {
      expect((await app.request(path)).status).toBe(401);
      const wrong = await app.request(path, { headers: { authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
    }
  });
});

describe("back office distribution and edits", () => {
  it("distributes only what changed: nothing, then a delta with a price edit", async () => {
    const none = await app.request("/api/back-office/distribute", {
      method: "POST",
      headers: admin,
    });
    await expect(none.json()).resolves.toEqual({ seq: null, kind: "none", rows: 0 });

    const priced = await patch("/api/back-office/products/P00003", { price: 1_234, active: false });
    expect(priced.status).toBe(200);
    await expect(priced.json()).resolves.toMatchObject({
      product: { id: "P00003", price: 1_234, active: false },
    });
    const run = await app.request("/api/back-office/distribute", {
      method: "POST",
      headers: admin,
    });
    await expect(run.json()).resolves.toEqual({ seq: 2, kind: "delta", rows: 1 });

    const log = backOffice.masterDataLog;
    if (log === undefined) throw new Error("no log");
    const reading = readMasterDataLog(log.doc());
    if (!reading.ok) throw reading.error;
    const delta = reading.packages[1];
    if (delta === undefined) throw new Error("no delta");
    const rows = await decodePackage(delta);
    expect(rows).toEqual([
      {
        entity: "product",
        op: "upsert",
        value: expect.objectContaining({ id: "P00003", price: 1_234 }),
      },
    ]);
  });

  it("refuses bad product edits", async () => {
    expect((await patch("/api/back-office/products/P00003", {})).status).toBe(400);
    expect((await patch("/api/back-office/products/P00003", { price: -1 })).status).toBe(400);
    expect((await patch("/api/back-office/products/P00003", { colour: "red" })).status).toBe(400);
    const unknown = await patch("/api/back-office/products/NOPE", { price: 100 });
    expect(unknown.status).toBe(404);
    await expect(unknown.json()).resolves.toMatchObject({ error: { code: "POS_CATALOG_002" } });
    expect((await patch("/api/back-office/products/P00003", { price: 1 }, {})).status).toBe(401);
  });

  it("sets offline support, keeping the offline replica entry in step", async () => {
    const on = await patch("/api/back-office/registers/R3", { offlineSupport: true });
    expect(on.status).toBe(200);
    await expect(on.json()).resolves.toMatchObject({
      register: { id: "R3", offlineSupport: true },
      offlineReplica: { registerId: "R3" },
    });
    expect(
      backOffice
        .configuration()
        .channelDataGroup.offlineReplicas.map((r) => r.registerId)
        .sort(),
    ).toEqual(["R1", "R2", "R3"]);
    const off = await patch("/api/back-office/registers/R1", { offlineSupport: false });
    await expect(off.json()).resolves.toMatchObject({ offlineReplica: null });
    expect(backOffice.configuration().registers.find((r) => r.id === "R1")?.offlineSupport).toBe(
      false,
    );
    expect((await patch("/api/back-office/registers/R9", { offlineSupport: true })).status).toBe(
      404,
    );
    expect((await patch("/api/back-office/registers/R1", { offlineSupport: "yes" })).status).toBe(
      400,
    );
  });
});

describe("built apps", () => {
  it("serves the register, the manager, wasm as application/wasm and the service worker uncached", async () => {
    const register = await app.request("/");
    await expect(register.text()).resolves.toContain("Register");
    const manager = await app.request("/manager/");
    await expect(manager.text()).resolves.toContain("Manager");
    expect((await app.request("/manager")).status).toBe(301);
    const wasm = await app.request("/assets/automerge.wasm");
    expect(wasm.headers.get("content-type")).toBe("application/wasm");
    const worker = await app.request("/sw.js");
    expect(worker.headers.get("cache-control")).toBe("no-cache");
    expect((await app.request("/api/nope")).status).toBe(404);
  });
});

describe("back office master data edits", () => {
  function send(
    method: "PUT" | "DELETE",
    path: string,
    body?: unknown,
    headers: Record<string, string> = admin,
  ) {
    return app.request(path, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async function lastPackageRows() {
    const run = await app.request("/api/back-office/distribute", {
      method: "POST",
      headers: admin,
    });
    expect(run.status).toBe(200);
    const log = backOffice.masterDataLog;
    if (log === undefined) throw new Error("no log");
    const reading = readMasterDataLog(log.doc());
    if (!reading.ok) throw reading.error;
    const last = reading.packages[reading.packages.length - 1];
    if (last === undefined) throw new Error("no package");
    return decodePackage(last);
  }

  it("stages customers and discounts for the next distribution, and removes them", async () => {
    const customer = await send("PUT", "/api/back-office/customers/C-NEW", {
      name: "Ada Lovelace",
      email: "ada@example.org",
    });
    expect(customer.status).toBe(200);
    const discount = await send("PUT", "/api/back-office/discounts/D-NEW", {
      name: "Staff 10 %",
      kind: "percent",
      value: 1_000,
      scope: "sale",
    });
    expect(discount.status).toBe(200);
    const rows = await lastPackageRows();
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entity: "customer",
          op: "upsert",
          value: expect.objectContaining({ id: "C-NEW", name: "Ada Lovelace" }),
        }),
        expect.objectContaining({
          entity: "discount",
          op: "upsert",
          value: expect.objectContaining({ id: "D-NEW", active: true }),
        }),
      ]),
    );

    expect((await send("DELETE", "/api/back-office/customers/C-NEW")).status).toBe(200);
    expect(await lastPackageRows()).toEqual([{ entity: "customer", op: "delete", id: "C-NEW" }]);
    const again = await send("DELETE", "/api/back-office/customers/C-NEW");
    expect(again.status).toBe(404);
    await expect(again.json()).resolves.toMatchObject({ error: { code: "POS_CATALOG_003" } });
  });

  it("refuses invalid edits with the field named, and unauthorised ones", async () => {
    const bad = await send("PUT", "/api/back-office/discounts/D1", {
      name: "Too much",
      kind: "percent",
      value: 20_000,
      scope: "line",
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { details: { issues: { path: string }[] } } };
    expect(body.error.details.issues.map((issue) => issue.path)).toContain("value");
    expect((await send("PUT", "/api/back-office/customers/C1", { name: "" })).status).toBe(400);
    expect((await send("PUT", "/api/back-office/customers/bad id", { name: "X" })).status).toBe(
      400,
    );
    expect((await send("PUT", "/api/back-office/customers/C1", { name: "X" }, {})).status).toBe(
      401,
    );
    const beforeOperators = backOffice.configuration().operators.length;
    const badPin = await send("PUT", "/api/back-office/operators/2001", {
      name: "New Cashier",
      role: "cashier",
      pin: "12",
    });
    expect(badPin.status).toBe(400);
    expect(backOffice.configuration().operators.length).toBe(beforeOperators);
  });

  it("saves operators with a hashed PIN in the store configuration, never the PIN itself", async () => {
    const saved = await send("PUT", "/api/back-office/operators/2001", {
      name: "New Cashier",
      role: "cashier",
      pin: "4321",
    });
    expect(saved.status).toBe(200);
    const json = await saved.text();
    expect(json).not.toContain("4321");
    expect(json).not.toContain("pinHash");
    const operator = backOffice.configuration().operators.find((o) => o.id === "2001");
    expect(operator).toMatchObject({ role: "cashier", pinHash: { algorithm: "PBKDF2-SHA256" } });
    expect(operator?.permissions).toContain("sell");
    const { verifyPin } = await import("../../../replication/operators/pin-hash.ts");
    expect(await verifyPin("4321", operator!.pinHash)).toBe(true);
  });

  it("validates offline profiles against their bounds and writes them to the store configuration", async () => {
    const tooFast = await send("PUT", "/api/back-office/offline-profiles/FAST", {
      name: "Too fast",
      switchTimeoutMs: 10,
      reconnectIntervalMs: 60_000,
    });
    expect(tooFast.status).toBe(400);
    const ok = await send("PUT", "/api/back-office/offline-profiles/QUICK", {
      name: "Quick failover",
      switchTimeoutMs: 2_000,
      reconnectIntervalMs: 30_000,
    });
    expect(ok.status).toBe(200);
    expect(backOffice.configuration().offlineProfiles).toContainEqual({
      id: "QUICK",
      name: "Quick failover",
      switchTimeoutMs: 2_000,
      reconnectIntervalMs: 30_000,
    });
  });
});
