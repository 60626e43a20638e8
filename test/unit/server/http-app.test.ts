import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Product } from "../../../domain/master-data.ts";
import { loadServerConfig } from "../../../src/server/config.ts";
import { DEMO_TAX_GROUPS } from "../../../src/server/demo-store.ts";
import { DeviceRegistry, type DeviceRevocation } from "../../../src/server/device-registry.ts";
import { toEan13 } from "../../../src/server/gtin.ts";
import { createApp } from "../../../src/server/http/app.ts";
import { appStubs } from "./app-stubs.ts";

const ADMIN = "admin-secret-for-tests";
const admin = { authorization: `Bearer ${ADMIN}` };
let dataDir: string;
let now: number;
let staged: (readonly Product[])[];
let logs: string;
let devices: DeviceRegistry;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pos-http-"));
  now = 1_700_000_000_000;
  staged = [];
  logs = "";
  const config = loadServerConfig({
    POS_DATA_DIR: dataDir,
    POS_ADMIN_TOKEN: ADMIN,
    POS_MAX_HTTP_BODY_BYTES: "1024",
    POS_MAX_IMPORT_BYTES: "4096",
  });
  devices = await DeviceRegistry.open({
    dataDir,
    now: () => now,
    activationCodeTtlMs: config.activationCodeTtlMs,
  });
  app = createApp({
    config,
    logger: pino({ level: "debug" }, logSink()),
    devices,
    ...appStubs(),
    isKnownRegister: (id) => ["R1", "R2", "R3"].includes(id),
    catalog: {
      references: () => ({ taxGroups: DEMO_TAX_GROUPS }),
      stage: (products) => {
        staged.push(products);
      },
    },
  });
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Appends everything logged to `logs`. */
function logSink(): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
}

function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function issueCode(registerId: string): Promise<string> {
  const response = await app.request(`/api/back-office/devices/${registerId}/codes`, {
    method: "POST",
    headers: admin,
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { code: string };
  return body.code;
}

async function activate(registerId: string): Promise<string> {
  const response = await postJson("/api/devices/activate", {
    registerId,
    code: await issueCode(registerId),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

describe("GET /api/health", () => {
  it("answers ok", async () => {
    const response = await app.request("/api/health");
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ status: "ok" });
  });

  it("unknown routes answer 404 with a JSON error", async () => {
    const response = await app.request("/api/nothing-here");
    expect(response.status).toBe(404);
    await expect(response.json()).resolves.toMatchObject({ error: { code: "POS_SERVER_004" } });
  });
});

describe("device activation", () => {
  it("exchanges a back office code for a token that opens the device API", async () => {
    const code = await issueCode("R1");
    const response = await postJson("/api/devices/activate", { registerId: "R1", code });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { registerId: string; token: string };
    expect(body.registerId).toBe("R1");
    const whoami = await app.request("/api/device/whoami", {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(whoami.status).toBe(200);
    await expect(whoami.json()).resolves.toEqual({ registerId: "R1", activatedAt: now });
    expect(logs).not.toContain(body.token);
    expect(logs).not.toContain(code);
  });

  it("refuses a wrong, reused or expired code with 401", async () => {
    const wrong = await postJson("/api/devices/activate", { registerId: "R1", code: "AAAA-AAAA" });
    expect(wrong.status).toBe(401);
    await expect(wrong.json()).resolves.toMatchObject({
      error: { code: "POS_DEVICE_002", message: expect.stringMatching(/ask a manager/) },
    });

    const code = await issueCode("R2");
    expect((await postJson("/api/devices/activate", { registerId: "R2", code })).status).toBe(200);
    const reused = await postJson("/api/devices/activate", { registerId: "R2", code });
    expect(reused.status).toBe(401);

    const late = await issueCode("R3");
    now += 15 * 60_000;
    const expired = await postJson("/api/devices/activate", { registerId: "R3", code: late });
    expect(expired.status).toBe(401);
    await expect(expired.json()).resolves.toMatchObject({ error: { code: "POS_DEVICE_003" } });
  });

  it("refuses malformed, non-JSON and oversized bodies", async () => {
    const missing = await postJson("/api/devices/activate", { registerId: "R1" });
    expect(missing.status).toBe(400);
    await expect(missing.json()).resolves.toMatchObject({
      error: { code: "POS_SERVER_001", details: { issues: [{ path: "code" }] } },
    });
    const extra = await postJson("/api/devices/activate", {
      registerId: "R1",
      code: "x",
      admin: 1,
    });
    expect(extra.status).toBe(400);
    const broken = await postJson("/api/devices/activate", "{not json");
    expect(broken.status).toBe(400);
    await expect(broken.json()).resolves.toMatchObject({ error: { code: "POS_SERVER_001" } });
    const text = await app.request("/api/devices/activate", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "R1 ABCD",
    });
    expect(text.status).toBe(415);
    const huge = await postJson("/api/devices/activate", {
      registerId: "R1",
      code: "x".repeat(2_000),
    });
    expect(huge.status).toBe(413);
    await expect(huge.json()).resolves.toMatchObject({ error: { code: "POS_SERVER_003" } });
  });
});

describe("device API authentication", () => {
  it("answers 401 with a clear JSON error for missing, unknown and revoked tokens", async () => {
    for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: "Basic x" }]) {
      const response = await app.request("/api/device/whoami", { headers });
      expect(response.status).toBe(401);
      await expect(response.json()).resolves.toEqual({
        error: {
          code: "POS_DEVICE_001",
          message: expect.stringMatching(/not activated or its activation was revoked/),
        },
      });
    }
    const token = await activate("R1");
    const heard: DeviceRevocation[] = [];
    devices.onRevoked((revocation) => heard.push(revocation));
    const revoke = await app.request("/api/back-office/devices/R1/revoke", {
      method: "POST",
      headers: admin,
    });
    expect(revoke.status).toBe(200);
    await expect(revoke.json()).resolves.toEqual({ registerId: "R1", revoked: true });
    expect(heard).toEqual([{ registerId: "R1", reason: "revoked" }]);
    const after = await app.request("/api/device/whoami", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);
  });
});

describe("back office", () => {
  it("requires the admin token on every route", async () => {
    const routes: [string, string][] = [
      ["POST", "/api/back-office/devices/R1/codes"],
      ["POST", "/api/back-office/devices/R1/revoke"],
      ["GET", "/api/back-office/devices"],
      ["POST", "/api/back-office/catalog/import"],
    ];
    for (const [method, path] of routes) {
      for (const headers of [{}, { authorization: "Bearer wrong" }]) {
        const response = await app.request(path, { method, headers });
        expect(response.status, `${method} ${path}`).toBe(401);
        await expect(response.json()).resolves.toMatchObject({
          error: { code: "POS_BACKOFFICE_001" },
        });
      }
    }
    // A device token is not an admin token.
    const token = await activate("R1");
    const asDevice = await app.request("/api/back-office/devices", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asDevice.status).toBe(401);
  });

  it("is closed entirely when no admin token is configured", async () => {
    const closed = createApp({
      config: loadServerConfig({ POS_DATA_DIR: dataDir }),
      logger: pino({ level: "silent" }),
      devices,
      ...appStubs(),
      isKnownRegister: () => true,
      catalog: { references: () => ({ taxGroups: [] }), stage: () => undefined },
    });
    const response = await closed.request("/api/back-office/devices", {
      headers: { authorization: "Bearer " },
    });
    expect(response.status).toBe(401);
  });

  it("issues codes only for registers of the store, and lists activated registers", async () => {
    const unknown = await app.request("/api/back-office/devices/R9/codes", {
      method: "POST",
      headers: admin,
    });
    expect(unknown.status).toBe(404);
    await expect(unknown.json()).resolves.toMatchObject({ error: { code: "POS_DEVICE_004" } });
    const badId = await app.request("/api/back-office/devices/R%201/codes", {
      method: "POST",
      headers: admin,
    });
    expect(badId.status).toBe(400);
    const issued = await app.request("/api/back-office/devices/R2/codes", {
      method: "POST",
      headers: admin,
    });
    await expect(issued.json()).resolves.toEqual({
      registerId: "R2",
      code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/),
      expiresAt: now + 15 * 60_000,
    });
    await activate("R1");
    const list = await app.request("/api/back-office/devices", { headers: admin });
    await expect(list.json()).resolves.toEqual({
      devices: [{ registerId: "R1", activatedAt: now }],
    });
    const revokeNothing = await app.request("/api/back-office/devices/R3/revoke", {
      method: "POST",
      headers: admin,
    });
    await expect(revokeNothing.json()).resolves.toEqual({ registerId: "R3", revoked: false });
  });

  it("imports a valid CSV or JSON catalog and stages it", async () => {
    const csv = await app.request("/api/back-office/catalog/import", {
      method: "POST",
      headers: { ...admin, "content-type": "text/csv; charset=utf-8" },
      body: `id,name,price,tax_group,barcodes\nP1,Whole Milk 1 L,1.09,RED,${toEan13("376000000001")}\n`,
    });
    expect(csv.status).toBe(200);
    await expect(csv.json()).resolves.toEqual({ imported: 1 });
    const json = await app.request("/api/back-office/catalog/import", {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify([{ id: "P2", name: "Baguette", price: 129, taxGroupId: "RED" }]),
    });
    expect(json.status).toBe(200);
    expect(staged).toEqual([
      [
        {
          id: "P1",
          name: "Whole Milk 1 L",
          price: 109,
          taxGroupId: "RED",
          barcodes: ["3760000000017"],
          active: true,
        },
      ],
      [{ id: "P2", name: "Baguette", price: 129, taxGroupId: "RED", barcodes: [], active: true }],
    ]);
  });

  it("answers 422 with every line, field and reason, and stages nothing", async () => {
    const response = await app.request("/api/back-office/catalog/import", {
      method: "POST",
      headers: { ...admin, "content-type": "text/csv" },
      body: "id,name,price,tax_group\nP1,Milk,1.09,RED\nP2,Bread,abc,RED\nP3,Beer,2.00,BOOZE\n",
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as {
      error: { code: string; message: string; details: { issues: unknown[] } };
    };
    expect(body.error.code).toBe("POS_CATALOG_001");
    expect(body.error.message).toMatch(/2 problems; nothing was imported/);
    expect(body.error.details.issues).toEqual([
      { line: 3, field: "price", reason: expect.any(String) },
      { line: 4, field: "tax_group", reason: expect.stringMatching(/BOOZE/) },
    ]);
    expect(staged).toEqual([]);
  });

  it("refuses other media types and files over the import limit", async () => {
    const xml = await app.request("/api/back-office/catalog/import", {
      method: "POST",
      headers: { ...admin, "content-type": "application/xml" },
      body: "<products/>",
    });
    expect(xml.status).toBe(415);
    await expect(xml.json()).resolves.toMatchObject({ error: { code: "POS_SERVER_002" } });
    const big = await app.request("/api/back-office/catalog/import", {
      method: "POST",
      headers: { ...admin, "content-type": "text/csv" },
      body: `id,name,price,tax_group\n${"P1,Milk,1.00,RED\n".repeat(400)}`,
    });
    expect(big.status).toBe(413);
    expect(staged).toEqual([]);
  });

  it("hides unexpected failures behind a 500 and logs them", async () => {
    const failing = createApp({
      config: loadServerConfig({ POS_DATA_DIR: dataDir, POS_ADMIN_TOKEN: ADMIN }),
      logger: pino({ level: "error" }, logSink()),
      devices,
      ...appStubs(),
      isKnownRegister: () => true,
      catalog: {
        references: () => ({ taxGroups: DEMO_TAX_GROUPS }),
        stage: () => Promise.reject(new Error("disk full at /secret/path")),
      },
    });
    const response = await failing.request("/api/back-office/catalog/import", {
      method: "POST",
      headers: { ...admin, "content-type": "text/csv" },
      body: "id,name,price,tax_group\nP1,Milk,1.00,RED\n",
    });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toContain("POS_SERVER_500");
    expect(text).not.toContain("disk full");
    expect(logs).toContain("disk full");
  });
});
