import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEVICE_REGISTRY_FILE,
  DeviceRegistry,
  type DeviceRevocation,
} from "../../../src/server/device-registry.ts";
import {
  ActivationCodeExpiredError,
  ActivationCodeInvalidError,
  DeviceRegistryCorruptError,
} from "../../../src/server/errors.ts";

const TTL = 15 * 60_000;
let dataDir: string;
let now: number;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pos-devices-"));
  now = 1_700_000_000_000;
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function openRegistry(maxCodeAttempts?: number) {
  return DeviceRegistry.open({
    dataDir,
    now: () => now,
    activationCodeTtlMs: TTL,
    ...(maxCodeAttempts === undefined ? {} : { maxCodeAttempts }),
  });
}

describe("device registry", () => {
  it("activates a register once with its code and verifies the token", async () => {
    const registry = await openRegistry();
    const issued = await registry.issueActivationCode("R1");
    expect(issued.code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(issued.expiresAt).toBe(now + TTL);

    const { token, device } = await registry.activate("R1", issued.code.toLowerCase());
    expect(device).toEqual({ registerId: "R1", activatedAt: now });
    expect(token.length).toBeGreaterThanOrEqual(40);
    expect(registry.verify(token)).toEqual({ registerId: "R1", activatedAt: now });
    expect(registry.verify(`${token}x`)).toBeNull();
    expect(registry.verify("")).toBeNull();

    // Single use.
    await expect(registry.activate("R1", issued.code)).rejects.toBeInstanceOf(
      ActivationCodeInvalidError,
    );
    expect(registry.devices()).toEqual([{ registerId: "R1", activatedAt: now }]);
  });

  it("refuses a code for another register, an expired code, and no code at all", async () => {
    const registry = await openRegistry();
    await expect(registry.activate("R1", "AAAA-AAAA")).rejects.toBeInstanceOf(
      ActivationCodeInvalidError,
    );
    const forR1 = await registry.issueActivationCode("R1");
    await expect(registry.activate("R2", forR1.code)).rejects.toBeInstanceOf(
      ActivationCodeInvalidError,
    );
    now += TTL;
    const expired = registry.activate("R1", forR1.code);
    await expect(expired).rejects.toBeInstanceOf(ActivationCodeExpiredError);
    await expect(expired).rejects.toMatchObject({ code: "POS_DEVICE_003" });
  });

  it("voids the pending code after too many wrong codes", async () => {
    const registry = await openRegistry(3);
    const issued = await registry.issueActivationCode("R1");
    for (let i = 0; i < 3; i++) {
      await expect(registry.activate("R1", "ZZZZ-ZZZZ")).rejects.toBeInstanceOf(
        ActivationCodeInvalidError,
      );
    }
    await expect(registry.activate("R1", issued.code)).rejects.toBeInstanceOf(
      ActivationCodeInvalidError,
    );
  });

  it("a new code replaces the old one", async () => {
    const registry = await openRegistry();
    const first = await registry.issueActivationCode("R1");
    const second = await registry.issueActivationCode("R1");
    await expect(registry.activate("R1", first.code)).rejects.toBeInstanceOf(
      ActivationCodeInvalidError,
    );
    await expect(registry.activate("R1", second.code)).resolves.toMatchObject({
      device: { registerId: "R1" },
    });
  });

  it("revokes at once and tells listeners; reactivation replaces the old token", async () => {
    const registry = await openRegistry();
    const heard: DeviceRevocation[] = [];
    const stop = registry.onRevoked((revocation) => heard.push(revocation));
    registry.onRevoked(() => {
      throw new Error("a broken listener");
    });

    const first = await registry.activate("R1", (await registry.issueActivationCode("R1")).code);
    const second = await registry.activate("R1", (await registry.issueActivationCode("R1")).code);
    expect(registry.verify(first.token)).toBeNull();
    expect(registry.verify(second.token)?.registerId).toBe("R1");
    expect(heard).toEqual([{ registerId: "R1", reason: "reactivated" }]);

    const revoking = registry.revoke("R1");
    expect(registry.verify(second.token)).toBeNull();
    await expect(revoking).resolves.toBe(true);
    expect(heard).toEqual([
      { registerId: "R1", reason: "reactivated" },
      { registerId: "R1", reason: "revoked" },
    ]);
    await expect(registry.revoke("R1")).resolves.toBe(false);
    stop();
    const third = await registry.activate("R1", (await registry.issueActivationCode("R1")).code);
    await registry.revoke("R1");
    expect(registry.verify(third.token)).toBeNull();
    expect(heard).toHaveLength(2);
  });

  it("persists tokens and codes as hashes only, and survives a restart", async () => {
    const registry = await openRegistry();
    const { token } = await registry.activate(
      "R1",
      (await registry.issueActivationCode("R1")).code,
    );
    const pending = await registry.issueActivationCode("R2");
    await registry.flush();

    const text = await readFile(join(dataDir, DEVICE_REGISTRY_FILE), "utf8");
    expect(text).not.toContain(token);
    expect(text).not.toContain(pending.code);
    expect(text).not.toContain(pending.code.replace("-", ""));
    expect((await readdir(dataDir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);

    const reopened = await openRegistry();
    expect(reopened.verify(token)?.registerId).toBe("R1");
    await expect(reopened.activate("R2", pending.code)).resolves.toMatchObject({
      device: { registerId: "R2" },
    });
    await reopened.revoke("R1");
    const again = await openRegistry();
    expect(again.verify(token)).toBeNull();
    expect(again.devices().map((d) => d.registerId)).toEqual(["R2"]);
  });

  it("refuses to start from a corrupt registry file", async () => {
    await writeFile(join(dataDir, DEVICE_REGISTRY_FILE), "{not json", "utf8");
    await expect(openRegistry()).rejects.toBeInstanceOf(DeviceRegistryCorruptError);
    await writeFile(join(dataDir, DEVICE_REGISTRY_FILE), '{"version":2}', "utf8");
    await expect(openRegistry()).rejects.toMatchObject({ code: "POS_DEVICE_005" });
  });
});
