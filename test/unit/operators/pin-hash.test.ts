import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  DEFAULT_PIN_HASH_ITERATIONS,
  hashPin,
  verifyPin,
} from "../../../replication/operators/pin-hash.ts";

describe("PIN hashing", () => {
  it("records algorithm, iterations, salt and hash, and verifies the right PIN only", async () => {
    const record = await hashPin("4711", { iterations: 2_000 });
    expect(record.algorithm).toBe("PBKDF2-SHA256");
    expect(record.iterations).toBe(2_000);
    expect(atob(record.salt)).toHaveLength(16);
    expect(atob(record.hash)).toHaveLength(32);
    expect(JSON.stringify(record)).not.toContain("4711");
    await expect(verifyPin("4711", record)).resolves.toBe(true);
    await expect(verifyPin("4712", record)).resolves.toBe(false);
    await expect(verifyPin("", record)).resolves.toBe(false);
  });

  it("uses a fresh random salt per hash, so equal PINs give different records", async () => {
    const a = await hashPin("1234", { iterations: 1_000 });
    const b = await hashPin("1234", { iterations: 1_000 });
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
  });

  it("is deterministic for a fixed salt and depends on the iteration count", async () => {
    const salt = new Uint8Array(16).fill(7);
    const a = await hashPin("9999", { iterations: 1_000, salt });
    const b = await hashPin("9999", { iterations: 1_000, salt });
    const c = await hashPin("9999", { iterations: 1_001, salt });
    expect(a).toEqual(b);
    expect(c.hash).not.toBe(a.hash);
    await expect(verifyPin("9999", c)).resolves.toBe(true);
  });

  it("uses the default iteration count when none is given", async () => {
    const record = await hashPin("2468");
    expect(record.iterations).toBe(DEFAULT_PIN_HASH_ITERATIONS);
    await expect(verifyPin("2468", record)).resolves.toBe(true);
  });

  it("refuses weak or malformed records instead of matching them", async () => {
    const record = await hashPin("1234", { iterations: 1_000 });
    await expect(verifyPin("1234", { ...record, iterations: 1 })).resolves.toBe(false);
    await expect(verifyPin("1234", { ...record, iterations: 10_000_000 })).resolves.toBe(false);
    await expect(verifyPin("1234", { ...record, hash: "%%%" })).resolves.toBe(false);
    await expect(verifyPin("1234", { ...record, salt: "" })).resolves.toBe(false);
    await expect(verifyPin("1234", { ...record, hash: btoa("short") })).resolves.toBe(false);
    await expect(verifyPin("1234", { ...record, hash: btoa("x".repeat(65)) })).resolves.toBe(false);
    await expect(hashPin("1234", { iterations: 10 })).rejects.toThrow(RangeError);
    await expect(hashPin("1234", { salt: new Uint8Array(4) })).rejects.toThrow(RangeError);
  });

  it("compares bytes for equality including length", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([]))).toBe(true);
  });
});
