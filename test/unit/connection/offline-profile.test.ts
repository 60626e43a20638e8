import { describe, expect, it } from "vitest";
import type { OfflineProfile } from "../../../domain/master-data.ts";
import { ConnectionError } from "../../../replication/connection/connection-error.ts";
import {
  DEFAULT_OFFLINE_PROFILE,
  parseOfflineProfile,
  resolveOfflineProfile,
} from "../../../replication/connection/offline-profile.ts";

const valid: OfflineProfile = {
  id: "fast",
  name: "Fast switch",
  switchTimeoutMs: 2_000,
  reconnectIntervalMs: 30_000,
};

function errorOf(input: unknown): ConnectionError {
  try {
    parseOfflineProfile(input);
  } catch (error) {
    if (error instanceof ConnectionError) return error;
    throw error;
  }
  throw new Error("expected the profile to be refused");
}

describe("offline profile", () => {
  it("defaults to a 5 s switch timeout and a 60 s reconnect interval", () => {
    expect(DEFAULT_OFFLINE_PROFILE).toMatchObject({
      switchTimeoutMs: 5_000,
      reconnectIntervalMs: 60_000,
    });
    expect(parseOfflineProfile(DEFAULT_OFFLINE_PROFILE)).toEqual(DEFAULT_OFFLINE_PROFILE);
  });

  it("accepts the bounds themselves", () => {
    expect(
      parseOfflineProfile({ ...valid, switchTimeoutMs: 100, reconnectIntervalMs: 1_000 }),
    ).toMatchObject({ switchTimeoutMs: 100, reconnectIntervalMs: 1_000 });
    expect(
      parseOfflineProfile({ ...valid, switchTimeoutMs: 120_000, reconnectIntervalMs: 86_400_000 }),
    ).toMatchObject({ switchTimeoutMs: 120_000, reconnectIntervalMs: 86_400_000 });
  });

  it.each([
    [{ switchTimeoutMs: 99 }, /switchTimeoutMs must be at least 100 ms/],
    [{ switchTimeoutMs: 120_001 }, /switchTimeoutMs must be at most 120000 ms/],
    [{ switchTimeoutMs: 1_500.5 }, /switchTimeoutMs must be a whole number of milliseconds/],
    [{ switchTimeoutMs: "5000" }, /switchTimeoutMs must be a whole number of milliseconds/],
    [{ reconnectIntervalMs: 999 }, /reconnectIntervalMs must be at least 1000 ms/],
    [{ reconnectIntervalMs: 86_400_001 }, /reconnectIntervalMs must be at most 86400000 ms/],
    [{ reconnectIntervalMs: -1 }, /reconnectIntervalMs must be at least 1000 ms/],
    [{ id: "" }, /id must not be empty/],
  ])("refuses %o, naming the field and the bound", (change, message) => {
    const error = errorOf({ ...valid, ...change });
    expect(error.code).toBe("OFFLINE_PROFILE_INVALID");
    expect(error.message).toMatch(message);
    expect(error.cause).toBeDefined();
  });

  it("names every bad field at once", () => {
    const error = errorOf({ ...valid, switchTimeoutMs: 0, reconnectIntervalMs: 0 });
    expect(error.message).toMatch(/switchTimeoutMs/);
    expect(error.message).toMatch(/reconnectIntervalMs/);
  });

  it("resolves the register's override first, then the store's profile, then the default", () => {
    const store: OfflineProfile = { ...valid, id: "store" };
    const register: OfflineProfile = { ...valid, id: "register", switchTimeoutMs: 1_000 };
    expect(resolveOfflineProfile(store, register)).toBe(register);
    expect(resolveOfflineProfile(store)).toBe(store);
    expect(resolveOfflineProfile(undefined)).toBe(DEFAULT_OFFLINE_PROFILE);
    expect(resolveOfflineProfile(undefined, register)).toBe(register);
  });
});
