import { describe, expect, it } from "vitest";
import type { PosEvent } from "../../../domain/events.ts";
import { hashPin } from "../../../replication/operators/pin-hash.ts";
import { ManagerSessions } from "../../../src/server/manager/manager-sessions.ts";
import {
  documentState,
  endOfDayBlockers,
  gapBetweenDays,
  heldNotPosted,
  registerBadge,
  summariseDay,
} from "../../../src/server/manager/replica-comparison.ts";

let seq = 0;
const meta = () => ({ id: `e${++seq}`, registerId: "R1", seq, at: 1_000 + seq });

function sale(receipt: number, total: number, end: "completed" | "voided" | "open"): PosEvent[] {
  const saleId = `sale-${receipt}`;
  const events: PosEvent[] = [
    {
      ...meta(),
      type: "SaleStarted",
      saleId,
      receiptNumber: `S1-R1-${String(receipt).padStart(6, "0")}`,
      storeId: "S1",
      operatorId: "1001",
      shiftId: null,
      pricesIncludeTax: true,
    },
  ];
  if (end === "completed") {
    events.push({ ...meta(), type: "SaleCompleted", saleId, total, tax: 10, changeDue: 0 });
  } else if (end === "voided") {
    events.push({ ...meta(), type: "SaleVoided", saleId, reason: "test", approvedBy: null });
  }
  return events;
}

describe("registerBadge", () => {
  const base = { latestPackageSeq: 3, headsServerLacks: 0, eventsHeldNotPosted: 0 };
  it("names each state", () => {
    expect(registerBadge({ ...base, appliedPackageSeq: null })).toBe("never-provisioned");
    expect(registerBadge({ ...base, appliedPackageSeq: 3 })).toBe("in-sync");
    expect(registerBadge({ ...base, appliedPackageSeq: 2 })).toBe("behind");
    expect(registerBadge({ ...base, appliedPackageSeq: 3, headsServerLacks: 1 })).toBe("ahead");
    expect(registerBadge({ ...base, appliedPackageSeq: 3, eventsHeldNotPosted: 2 })).toBe("ahead");
    expect(registerBadge({ ...base, appliedPackageSeq: 1, headsServerLacks: 1 })).toBe("diverged");
  });
});

describe("documentState", () => {
  it("relates reported heads to the server's copy", () => {
    expect(documentState({ reported: false, registerOnly: 0, serverOnlyChanges: null })).toBe(
      "not-reported",
    );
    expect(documentState({ reported: true, registerOnly: 0, serverOnlyChanges: 0 })).toBe("same");
    expect(documentState({ reported: true, registerOnly: 2, serverOnlyChanges: null })).toBe(
      "register-ahead",
    );
    expect(documentState({ reported: true, registerOnly: 0, serverOnlyChanges: 4 })).toBe(
      "server-ahead",
    );
    expect(documentState({ reported: true, registerOnly: 1, serverOnlyChanges: 1 })).toBe(
      "diverged",
    );
  });
});

describe("summariseDay", () => {
  it("counts sales and totals, and finds receipt gaps", () => {
    const events = [
      ...sale(1, 500, "completed"),
      ...sale(2, 0, "voided"),
      ...sale(5, 700, "completed"),
      ...sale(6, 0, "open"),
    ];
    const summary = summariseDay(events);
    expect(summary).toMatchObject({
      events: events.length,
      firstSeq: events[0]?.seq,
      lastSeq: events.at(-1)?.seq,
      salesCompleted: 2,
      salesVoided: 1,
      salesOpen: 1,
      total: 1_200,
      tax: 20,
      firstReceipt: "S1-R1-000001",
      lastReceipt: "S1-R1-000006",
      receiptGaps: [3, 4],
    });
    expect(summariseDay([])).toMatchObject({ events: 0, firstReceipt: null, receiptGaps: [] });
  });

  it("finds receipts missing between days", () => {
    const monday = summariseDay(sale(1, 100, "completed"));
    const tuesday = summariseDay(sale(4, 100, "completed"));
    expect(gapBetweenDays(monday, tuesday)).toEqual([2, 3]);
    expect(gapBetweenDays(monday, summariseDay(sale(2, 1, "completed")))).toEqual([]);
  });
});

describe("heldNotPosted and endOfDayBlockers", () => {
  it("lists events past the posting record and the registers blocking the day", () => {
    const events = sale(10, 100, "completed");
    expect(heldNotPosted(events, null)).toEqual(events);
    expect(heldNotPosted(events, events[0]!.seq)).toEqual([events[1]]);
    const line = {
      badge: "in-sync" as const,
      mode: "online" as const,
      headsServerLacks: 0,
      eventsHeldNotPosted: 0,
      salesHeldNotPosted: 0,
    };
    const blockers = endOfDayBlockers([
      { ...line, registerId: "R1" },
      { ...line, registerId: "R2", badge: "ahead", headsServerLacks: 1 },
      { ...line, registerId: "R3", mode: "offline" },
      { ...line, registerId: "R4", badge: "never-provisioned", mode: null },
    ]);
    expect(blockers.map((blocker) => blocker.registerId)).toEqual(["R2", "R3"]);
    expect(blockers[0]?.reasons[0]).toMatch(/917 Connect/);
  });
});

describe("ManagerSessions", () => {
  async function sessions(now: { value: number }) {
    const pinHash = await hashPin("9999", { iterations: 1_000 });
    const cashierHash = await hashPin("1234", { iterations: 1_000 });
    return new ManagerSessions({
      adminToken: "admin-secret-token",
      now: () => now.value,
      ttlMs: 1_000,
      operators: () => [
        { id: "9001", name: "Mia", role: "manager", permissions: [], maxDiscountBp: 0, pinHash },
        {
          id: "1001",
          name: "Cas",
          role: "cashier",
          permissions: [],
          maxDiscountBp: 0,
          pinHash: cashierHash,
        },
      ],
    });
  }

  it("gives managers a token that expires, accepts the admin token, refuses the rest", async () => {
    const now = { value: 10_000 };
    const manager = await sessions(now);
    const session = await manager.signIn("9001", "9999");
    expect(manager.verify(session.token)).toEqual({
      kind: "manager",
      operatorId: "9001",
      name: "Mia",
    });
    expect(manager.verify("admin-secret-token")).toEqual({ kind: "admin" });
    expect(manager.verify("guess")).toBeNull();
    await expect(manager.signIn("9001", "0000")).rejects.toMatchObject({ code: "POS_MANAGER_002" });
    await expect(manager.signIn("1001", "1234")).rejects.toMatchObject({ code: "POS_MANAGER_003" });
    now.value += 1_000;
    expect(manager.verify(session.token)).toBeNull();
  });

  it("locks an operator after repeated wrong PINs", async () => {
    const manager = await sessions({ value: 0 });
    for (let attempt = 0; attempt < 4; attempt++) {
      await expect(manager.signIn("9001", "0000")).rejects.toMatchObject({
        code: "POS_MANAGER_002",
      });
    }
    await expect(manager.signIn("9001", "0000")).rejects.toMatchObject({ code: "POS_MANAGER_004" });
    await expect(manager.signIn("9001", "9999")).rejects.toMatchObject({ code: "POS_MANAGER_004" });
  });
});
