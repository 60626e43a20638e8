import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSignInLockouts } from "../../replication/operators/sign-in.ts";
import {
  activateNodeRegister,
  type DeviceIdentity,
  type NodeRegister,
  startNodeRegister,
} from "../../replication/register/node-register.ts";
import { DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

const ADMIN_TOKEN = "lockout-admin-token-0123456789ab";
const env = { POS_ADMIN_TOKEN: ADMIN_TOKEN, POS_DISTRIBUTION_INTERVAL_MS: "0" };

let dataDir: string;
let registerDir: string;
let server: ServerProcess | undefined;
let register: NodeRegister | undefined;

beforeAll(async () => {
  dataDir = await temporaryDirectory("lockout-server");
  registerDir = await temporaryDirectory("lockout-register");
});
afterAll(async () => {
  register?.link.cut();
  await register?.close();
  await server?.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
  await rm(registerDir, { recursive: true, force: true });
});

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe("sign-in lockout on a Node register", () => {
  it("keeps an operator locked after 5 wrong PINs across a register restart, per operator", async () => {
    server = await startServerProcess({ dataDir, env });
    const issued = await fetch(`${server.url}/api/back-office/devices/R1/codes`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const { code } = (await issued.json()) as { code: string };
    const identity: DeviceIdentity = await activateNodeRegister({
      serverUrl: server.url,
      dataDir: registerDir,
      registerId: "R1",
      code,
    });
    register = await startNodeRegister({ serverUrl: server.url, dataDir: registerDir, identity });
    await until("provisioning", () => register!.session.view().provisioning.ready);

    for (let attempt = 1; attempt <= 5; attempt++) {
      const result = await register.session.signIn("1001", "0000");
      // The fifth wrong PIN is answered with the lock itself.
      expect(result).toMatchObject({
        ok: false,
        code: attempt < 5 ? "POS_SIGNIN_002" : "POS_SIGNIN_003",
      });
    }
    const locked = await register.session.signIn("1001", DEMO_OPERATOR_PINS["1001"]);
    expect(locked).toMatchObject({ ok: false, code: "POS_SIGNIN_003" });
    const stored = parseSignInLockouts(
      JSON.parse(await readFile(join(registerDir, "lockouts.json"), "utf8")),
    );
    expect(stored.entries).toEqual([
      expect.objectContaining({ registerId: "R1", operatorId: "1001", failures: 5 }),
    ]);

    // Restart the register: the lock is still there; another operator is not affected.
    register.link.cut();
    await register.close();
    register = await startNodeRegister({ serverUrl: server.url, dataDir: registerDir, identity });
    await until("configuration after restart", () => register!.session.view().storeName !== "");
    const afterRestart = await register.session.signIn("1001", DEMO_OPERATOR_PINS["1001"]);
    expect(afterRestart).toMatchObject({ ok: false, code: "POS_SIGNIN_003" });
    const manager = await register.session.signIn("9001", DEMO_OPERATOR_PINS["9001"]);
    expect(manager).toEqual({ ok: true });
  }, 60_000);
});
