import { describe, expect, it } from "vitest";
import {
  isForeignReceipt,
  modeLabel,
  onlineOnlyReason,
} from "../../../src/register/connection-mode.ts";
import { percentToBasisPoints } from "../../../src/register/percent-input.ts";

describe("status header labels", () => {
  it("starts every label with exactly Online or Offline", () => {
    expect(modeLabel("online")).toBe("Online");
    expect(modeLabel("offline")).toBe("Offline");
    expect(modeLabel("offline-manual")).toBe("Offline (manual)");
    expect(modeLabel("probing")).toMatch(/^Offline/);
    expect(modeLabel("unavailable")).toMatch(/^Offline/);
  });

  it("gives a reason for online-only operations in every mode but online", () => {
    expect(onlineOnlyReason("online")).toBeNull();
    for (const mode of ["offline", "offline-manual", "probing", "unavailable"] as const) {
      expect(onlineOnlyReason(mode)).toMatch(/store server/);
    }
    expect(onlineOnlyReason("offline-manual")).toMatch(/917/);
  });

  it("tells this register's receipts from foreign ones", () => {
    expect(isForeignReceipt("S1-R1-42", "S1", "R1")).toBe(false);
    expect(isForeignReceipt("S1-R2-42", "S1", "R1")).toBe(true);
    expect(isForeignReceipt("S2-R1-42", "S1", "R1")).toBe(true);
    expect(isForeignReceipt("S1-R10-1", "S1", "R1")).toBe(true);
  });
});

describe("percent input", () => {
  it("turns a typed percentage into basis points", () => {
    expect(percentToBasisPoints("10")).toBe(1000);
    expect(percentToBasisPoints("12.5")).toBe(1250);
    expect(percentToBasisPoints("12,75 %")).toBe(1275);
    expect(percentToBasisPoints("100")).toBe(10_000);
    expect(percentToBasisPoints("100.01")).toBeNull();
    expect(percentToBasisPoints("1.234")).toBeNull();
    expect(percentToBasisPoints("ten")).toBeNull();
  });
});
