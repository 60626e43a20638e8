import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RegisterConnectionMode } from "../../../replication/connection/connection-controller.ts";
import {
  ConnectionController,
  type ConnectionControllerOptions,
  type ModeChangedEffect,
  systemClock,
} from "../../../replication/connection/connection-controller-driver.ts";
import { ConnectionError } from "../../../replication/connection/connection-error.ts";

const profile = { switchTimeoutMs: 5_000, reconnectIntervalMs: 60_000 };

type Harness = {
  controller: ConnectionController;
  modes: RegisterConnectionMode[];
  audit: Array<Pick<ModeChangedEffect, "from" | "to" | "reason">>;
  calls: string[];
  probes: AbortSignal[];
  hookErrors: unknown[];
};

function setup(
  overrides: Partial<ConnectionControllerOptions> & {
    probeResult?: () => Promise<void>;
  } = {},
): Harness {
  const modes: RegisterConnectionMode[] = [];
  const audit: Harness["audit"] = [];
  const calls: string[] = [];
  const probes: AbortSignal[] = [];
  const hookErrors: unknown[] = [];
  const probeResult = overrides.probeResult ?? (() => Promise.resolve());
  const controller = new ConnectionController({
    profile,
    offlineSupport: true,
    clock: systemClock,
    probe: (signal) => {
      probes.push(signal);
      return probeResult();
    },
    onEffect: {
      modeChanged: (change) =>
        audit.push({ from: change.from, to: change.to, reason: change.reason }),
      connectNetwork: () => {
        calls.push("connectNetwork");
      },
      disconnectNetwork: () => {
        calls.push("disconnectNetwork");
      },
      uploadPending: () => {
        calls.push("uploadPending");
      },
    },
    onHookError: (error) => hookErrors.push(error),
    ...overrides,
  });
  controller.subscribe((mode) => modes.push(mode));
  return { controller, modes, audit, calls, probes, hookErrors };
}

/** Sends one unanswered confirmation and lets the switch timeout pass. */
async function goOffline(h: Harness): Promise<void> {
  h.controller.expectConfirmation("e-1");
  await vi.advanceTimersByTimeAsync(5_001);
  expect(h.controller.mode).not.toBe("online");
}

function hanging(): Promise<never> {
  return new Promise<never>(() => {});
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("ConnectionController: switching offline", () => {
  it("stays online when the server confirms exactly at the deadline", async () => {
    const h = setup();
    h.controller.expectConfirmation("e-1");
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    h.controller.confirm("e-1");
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.controller.mode).toBe("online");
    expect(h.modes).toEqual([]);
  });

  it("switches offline 1 ms after the deadline, with an audit entry and no more traffic", async () => {
    const h = setup();
    h.controller.expectConfirmation("e-1");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.controller.mode).toBe("online");
    await vi.advanceTimersByTimeAsync(1);
    expect(h.controller.mode).toBe("offline");
    expect(h.controller.state).toMatchObject({ mode: "offline", lastAttemptAt: 5_001 });
    expect(h.modes).toEqual(["offline"]);
    expect(h.audit).toEqual([{ from: "online", to: "offline", reason: "timeout" }]);
    expect(h.calls).toEqual(["disconnectNetwork"]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps exactly one timer for many requests in flight, armed for the earliest", async () => {
    const h = setup();
    h.controller.expectConfirmation("a");
    await vi.advanceTimersByTimeAsync(1_000);
    h.controller.expectConfirmation("b");
    const request = h.controller.trackRequest("server-request", hanging());
    request.catch(() => {});
    expect(vi.getTimerCount()).toBe(1);
    h.controller.confirm("a");
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(h.controller.mode).toBe("online");
    h.controller.confirm("b");
    await vi.advanceTimersByTimeAsync(1_001);
    expect(h.controller.mode).toBe("offline");
    await expect(request).rejects.toMatchObject({ code: "SERVER_REQUEST_TIMED_OUT" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("trackRequest resolves with the answer when it comes in time", async () => {
    const h = setup();
    const answer = new Promise<number>((resolve) => setTimeout(() => resolve(42), 4_999));
    const tracked = h.controller.trackRequest("server-request", answer);
    await vi.advanceTimersByTimeAsync(4_999);
    await expect(tracked).resolves.toBe(42);
    expect(h.controller.mode).toBe("online");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("trackRequest rejects with a timeout as soon as the deadline passes and switches offline", async () => {
    const h = setup();
    const tracked = h.controller.trackRequest("server-request", hanging());
    const outcome = tracked.then(
      () => "resolved",
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(5_001);
    const error = await outcome;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "SERVER_REQUEST_TIMED_OUT" });
    expect(h.controller.mode).toBe("offline");
  });

  it("a request failing early (socket closed) switches at once and keeps the cause", async () => {
    const h = setup();
    const socketClosed = new Error("socket closed");
    const answer = new Promise<never>((_, reject) => setTimeout(() => reject(socketClosed), 200));
    const outcome = h.controller.trackRequest("server-request", answer).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(200);
    const error = await outcome;
    expect(error).toMatchObject({ code: "SERVER_REQUEST_FAILED", cause: socketClosed });
    expect(h.controller.mode).toBe("offline");
    expect(h.controller.state).toMatchObject({ since: 200 });
    expect(h.audit).toEqual([{ from: "online", to: "offline", reason: "timeout" }]);
  });

  it("connectionLost switches at once when a confirmation is outstanding, not otherwise", async () => {
    const h = setup();
    h.controller.connectionLost();
    expect(h.controller.mode).toBe("online");
    h.controller.expectConfirmation("e-1");
    await vi.advanceTimersByTimeAsync(10);
    h.controller.connectionLost();
    expect(h.controller.mode).toBe("offline");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("refuses to send a request while offline", async () => {
    const h = setup();
    await goOffline(h);
    await expect(
      h.controller.trackRequest("server-request", Promise.resolve(1)),
    ).rejects.toMatchObject({ code: "REGISTER_NOT_CONNECTED" });
    h.controller.expectConfirmation("e-2");
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("ConnectionController: reconnecting at transaction start", () => {
  it("does not probe before the reconnect interval has passed", async () => {
    const h = setup();
    await goOffline(h);
    await vi.advanceTimersByTimeAsync(59_999);
    await h.controller.beforeTransaction();
    expect(h.probes).toHaveLength(0);
    expect(h.controller.mode).toBe("offline");
  });

  it("never probes from the passing of time alone", async () => {
    const h = setup();
    await goOffline(h);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(h.probes).toHaveLength(0);
    expect(h.controller.mode).toBe("offline");
  });

  it("probes once at transaction start after the interval; success goes online and uploads", async () => {
    const h = setup();
    await goOffline(h);
    await vi.advanceTimersByTimeAsync(60_000);
    await h.controller.beforeTransaction();
    expect(h.probes).toHaveLength(1);
    expect(h.controller.mode).toBe("online");
    expect(h.modes).toEqual(["offline", "probing", "online"]);
    expect(h.audit).toEqual([
      { from: "online", to: "offline", reason: "timeout" },
      { from: "offline", to: "probing", reason: "reconnect" },
      { from: "probing", to: "online", reason: "reconnect" },
    ]);
    expect(h.calls).toEqual(["disconnectNetwork", "connectNetwork", "uploadPending"]);
    await h.controller.beforeTransaction();
    expect(h.probes).toHaveLength(1);
  });

  it("a failed probe keeps the register offline and restarts the interval from that attempt", async () => {
    let fail = true;
    const h = setup({
      probeResult: () => (fail ? Promise.reject(new Error("refused")) : Promise.resolve()),
    });
    await goOffline(h);
    await vi.advanceTimersByTimeAsync(60_000);
    await h.controller.beforeTransaction();
    expect(h.probes).toHaveLength(1);
    expect(h.controller.mode).toBe("offline");
    expect(h.audit.at(-1)).toEqual({ from: "probing", to: "offline", reason: "probe-failed" });
    fail = false;
    await vi.advanceTimersByTimeAsync(59_999);
    await h.controller.beforeTransaction();
    expect(h.probes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await h.controller.beforeTransaction();
    expect(h.probes).toHaveLength(2);
    expect(h.controller.mode).toBe("online");
  });

  it("a hanging probe is aborted at the switch timeout and counts as failed", async () => {
    const h = setup({ probeResult: hanging });
    await goOffline(h);
    await vi.advanceTimersByTimeAsync(60_000);
    let settled = false;
    const before = h.controller.beforeTransaction().then(() => {
      settled = true;
    });
    expect(h.controller.mode).toBe("probing");
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(settled).toBe(false);
    expect(h.probes[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await before;
    expect(h.probes[0]?.aborted).toBe(true);
    expect(h.controller.mode).toBe("offline");
    expect(h.audit.at(-1)).toEqual({ from: "probing", to: "offline", reason: "probe-failed" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a probe that throws synchronously counts as failed; beforeTransaction never throws", async () => {
    const h = setup({
      probe: () => {
        throw new Error("no route");
      },
    });
    await goOffline(h);
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(h.controller.beforeTransaction()).resolves.toBeUndefined();
    expect(h.controller.mode).toBe("offline");
  });
});

describe("ConnectionController: operation 917", () => {
  it("Disconnect stays across transactions and ignores the interval until Connect", async () => {
    const h = setup();
    await expect(h.controller.pressOperation917({ saleOpen: true })).resolves.toEqual({
      kind: "disconnected",
      mode: "offline-manual",
    });
    expect(h.audit).toEqual([{ from: "online", to: "offline-manual", reason: "manual" }]);
    expect(h.calls).toEqual(["disconnectNetwork"]);
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(3_600_000);
      await h.controller.beforeTransaction();
    }
    expect(h.probes).toHaveLength(0);
    expect(h.controller.mode).toBe("offline-manual");
  });

  it("Connect is refused while a sale is open, with a message saying why", async () => {
    const h = setup();
    await h.controller.pressOperation917({ saleOpen: false });
    const result = await h.controller.pressOperation917({ saleOpen: true });
    expect(result).toEqual({
      kind: "refused",
      code: "SALE_OPEN",
      message: expect.stringMatching(/sale is open.*only between sales/i),
      mode: "offline-manual",
    });
    expect(h.probes).toHaveLength(0);
  });

  it("Connect probes at once and uploads pending sales on success", async () => {
    const h = setup();
    await h.controller.pressOperation917({ saleOpen: false });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(h.controller.pressOperation917({ saleOpen: false })).resolves.toEqual({
      kind: "connected",
      mode: "online",
    });
    expect(h.probes).toHaveLength(1);
    expect(h.audit).toEqual([
      { from: "online", to: "offline-manual", reason: "manual" },
      { from: "offline-manual", to: "probing", reason: "manual" },
      { from: "probing", to: "online", reason: "manual" },
    ]);
    expect(h.calls).toEqual(["disconnectNetwork", "connectNetwork", "uploadPending"]);
  });

  it("Connect reports a failed attempt and leaves the register offline", async () => {
    const h = setup({ probeResult: () => Promise.reject(new Error("down")) });
    await h.controller.pressOperation917({ saleOpen: false });
    const result = await h.controller.pressOperation917({ saleOpen: false });
    expect(result).toMatchObject({
      kind: "connect-failed",
      code: "CONNECT_FAILED",
      mode: "offline",
    });
  });

  it("Disconnect is refused on a register without offline support", async () => {
    const h = setup({ offlineSupport: false });
    const result = await h.controller.pressOperation917({ saleOpen: false });
    expect(result).toMatchObject({ kind: "refused", code: "NO_OFFLINE_SUPPORT", mode: "online" });
  });
});

describe("ConnectionController: register without offline support", () => {
  it("becomes unavailable, never offline, and retries at every transaction start", async () => {
    let up = false;
    const h = setup({
      offlineSupport: false,
      probeResult: () => (up ? Promise.resolve() : Promise.reject(new Error("down"))),
    });
    await goOffline(h);
    expect(h.controller.mode).toBe("unavailable");
    await h.controller.beforeTransaction();
    await h.controller.beforeTransaction();
    expect(h.probes).toHaveLength(2);
    expect(h.controller.mode).toBe("unavailable");
    up = true;
    await h.controller.beforeTransaction();
    expect(h.controller.mode).toBe("online");
    expect(h.modes).not.toContain("offline");
    expect(h.modes).not.toContain("offline-manual");
    expect(h.calls).not.toContain("uploadPending");
  });
});

describe("ConnectionController: lifecycle and hooks", () => {
  it("unsubscribed listeners hear nothing more", async () => {
    const h = setup();
    const heard: RegisterConnectionMode[] = [];
    const unsubscribe = h.controller.subscribe((mode) => heard.push(mode));
    await h.controller.pressOperation917({ saleOpen: false });
    unsubscribe();
    await h.controller.pressOperation917({ saleOpen: false });
    expect(heard).toEqual(["offline-manual"]);
    expect(h.modes).toEqual(["offline-manual", "probing", "online"]);
  });

  it("hook and listener failures are reported and do not stop the controller", async () => {
    const h = setup({
      onEffect: {
        disconnectNetwork: () => {
          throw new Error("adapter gone");
        },
        uploadPending: () => Promise.reject(new Error("upload failed")),
      },
    });
    h.controller.subscribe(() => {
      throw new Error("listener broke");
    });
    await h.controller.pressOperation917({ saleOpen: false });
    await h.controller.pressOperation917({ saleOpen: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.controller.mode).toBe("online");
    expect(h.hookErrors.map((error) => (error as Error).message).sort()).toEqual([
      "adapter gone",
      "listener broke",
      "listener broke",
      "listener broke",
      "upload failed",
    ]);
  });

  it("dispose clears the timer, rejects watched requests and ignores later input", async () => {
    const h = setup();
    const tracked = h.controller.trackRequest("server-request", hanging());
    expect(vi.getTimerCount()).toBe(1);
    h.controller.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await expect(tracked).rejects.toMatchObject({ code: "REGISTER_NOT_CONNECTED" });
    h.controller.expectConfirmation("x");
    expect(vi.getTimerCount()).toBe(0);
    h.controller.dispose();
  });

  it("rejects an offline profile out of bounds, naming the field and the bound", () => {
    expect(
      () =>
        new ConnectionController({
          profile: { switchTimeoutMs: 50, reconnectIntervalMs: 60_000 },
          offlineSupport: true,
          clock: systemClock,
          probe: () => Promise.resolve(),
        }),
    ).toThrow(/switchTimeoutMs must be at least 100 ms/);
  });
});

describe("ConnectionController: a late timer", () => {
  it("keeps an answer that came in time when another request's overdue deadline switches the register", async () => {
    vi.useRealTimers();
    let now = 0;
    const lazyClock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const controller = new ConnectionController({
      profile,
      offlineSupport: true,
      clock: lazyClock,
      probe: () => Promise.resolve(),
    });
    controller.expectConfirmation("overdue");
    now = 100;
    let answer: (value: string) => void = () => {};
    const tracked = controller.trackRequest(
      "server-request",
      new Promise<string>((resolve) => {
        answer = resolve;
      }),
    );
    now = 5_050;
    answer("balance: 12.00");
    await expect(tracked).resolves.toBe("balance: 12.00");
    expect(controller.mode).toBe("offline");
  });
});
