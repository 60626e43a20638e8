import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN_FILE } from "../../src/server/main.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

let dataDir: string;
let server: ServerProcess | undefined;

beforeAll(async () => {
  dataDir = await temporaryDirectory("server-start");
});
afterAll(async () => {
  await server?.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  if (server === undefined) throw new Error("server not started");
  return fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
}

describe("npm start runs the retail server", () => {
  it("serves the API over real HTTP, keeps activations across a restart, stops on SIGTERM", async () => {
    server = await startServerProcess({ dataDir });
    const health = await call("/api/health");
    await expect(health.json()).resolves.toEqual({ status: "ok" });

    const adminToken = (await readFile(join(dataDir, ADMIN_TOKEN_FILE), "utf8")).trim();
    expect(server.output()).not.toContain(adminToken);
    const admin = { authorization: `Bearer ${adminToken}` };

    const codeResponse = await call("/api/back-office/devices/R1/codes", {
      method: "POST",
      headers: admin,
    });
    expect(codeResponse.status).toBe(201);
    const { code } = (await codeResponse.json()) as { code: string };
    const activation = await call("/api/devices/activate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ registerId: "R1", code }),
    });
    expect(activation.status).toBe(200);
    const { token } = (await activation.json()) as { token: string };

    const rejected = await call("/api/back-office/catalog/import", {
      method: "POST",
      headers: { ...admin, "content-type": "text/csv" },
      body: "id,name,price,tax_group\nP1,Milk,1.09,NOPE\n",
    });
    expect(rejected.status).toBe(422);

    expect(await server.kill("SIGTERM")).toBe(0);
    expect(server.output()).toMatch(/retail server stopped/);

    server = await startServerProcess({ dataDir });
    const whoami = await call("/api/device/whoami", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(whoami.status).toBe(200);
    await expect(whoami.json()).resolves.toMatchObject({ registerId: "R1" });

    await call("/api/back-office/devices/R1/revoke", { method: "POST", headers: admin });
    const revoked = await call("/api/device/whoami", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(401);
    expect(await server.kill("SIGTERM")).toBe(0);
  });
});
