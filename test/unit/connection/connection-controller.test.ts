import { describe, expect, it } from "vitest";
import {
  type ConnectionEffect,
  type ConnectionInput,
  type ConnectionPolicy,
  type ConnectionState,
  initialConnectionState,
  nextDeadline,
  transition,
} from "../../../replication/connection/connection-controller.ts";

const policy: ConnectionPolicy = {
  switchTimeoutMs: 5_000,
  reconnectIntervalMs: 60_000,
  offlineSupport: true,
};
const noOfflineSupport: ConnectionPolicy = { ...policy, offlineSupport: false };

function run(
  state: ConnectionState,
  ...inputs: ConnectionInput[]
): { state: ConnectionState; effects: ConnectionEffect[] } {
  const effects: ConnectionEffect[] = [];
  let current = state;
  for (const input of inputs) {
    const result = transition(current, input);
    current = result.state;
    effects.push(...result.effects);
  }
  return { state: current, effects };
}

const types = (effects: readonly ConnectionEffect[]) => effects.map((effect) => effect.type);

/** Online at 0, a request at 1,000 unanswered: offline at 6,001. */
function offlineAfterTimeout(p: ConnectionPolicy = policy): ConnectionState {
  return run(
    initialConnectionState(p, 0),
    { type: "requestStarted", id: "r1", at: 1_000, kind: "confirm-events" },
    { type: "tick", at: 6_001 },
  ).state;
}

describe("online: the switch timeout", () => {
  it("tracks each request with its deadline and asks for a tick 1 ms past the earliest", () => {
    const { state } = run(
      initialConnectionState(policy, 0),
      { type: "requestStarted", id: "a", at: 100, kind: "confirm-events" },
      { type: "requestStarted", id: "b", at: 50, kind: "server-request" },
    );
    expect(state.mode).toBe("online");
    if (state.mode !== "online") return;
    expect(state.requests).toEqual([
      { id: "a", kind: "confirm-events", startedAt: 100, deadline: 5_100 },
      { id: "b", kind: "server-request", startedAt: 50, deadline: 5_050 },
    ]);
    expect(nextDeadline(state)).toBe(5_051);
  });

  it("has no deadline with no request in flight", () => {
    expect(nextDeadline(initialConnectionState(policy, 0))).toBeNull();
  });

  it("counts an answer exactly at the deadline as success", () => {
    const { state, effects } = run(
      initialConnectionState(policy, 0),
      { type: "requestStarted", id: "r", at: 1_000, kind: "confirm-events" },
      { type: "tick", at: 6_000 },
      { type: "requestSucceeded", id: "r", at: 6_000 },
    );
    expect(state).toMatchObject({ mode: "online", requests: [] });
    expect(effects).toEqual([]);
    expect(nextDeadline(state)).toBeNull();
  });

  it("switches offline by a tick 1 ms past the deadline", () => {
    const { state, effects } = run(
      initialConnectionState(policy, 0),
      { type: "requestStarted", id: "r", at: 1_000, kind: "confirm-events" },
      { type: "tick", at: 6_001 },
    );
    expect(state).toMatchObject({ mode: "offline", cause: "timeout", lastAttemptAt: 6_001 });
    expect(effects).toEqual([
      { type: "modeChanged", from: "online", to: "offline", reason: "timeout", at: 6_001 },
      { type: "requestsAbandoned", requests: [{ id: "r", why: "expired" }] },
      { type: "disconnectNetwork" },
    ]);
  });

  it("treats an answer arriving 1 ms late as a timeout, even without a tick", () => {
    const { state, effects } = run(
      initialConnectionState(policy, 0),
      { type: "requestStarted", id: "r", at: 1_000, kind: "server-request" },
      { type: "requestSucceeded", id: "r", at: 6_001 },
    );
    expect(state.mode).toBe("offline");
    expect(effects[0]).toMatchObject({ type: "modeChanged", reason: "timeout" });
  });

  it("switches at once when a request fails before its deadline, dropping the others", () => {
    const { state, effects } = run(
      initialConnectionState(policy, 0),
      { type: "requestStarted", id: "a", at: 0, kind: "confirm-events" },
      { type: "requestStarted", id: "b", at: 10, kind: "server-request" },
      { type: "requestFailed", id: "b", at: 20 },
    );
    expect(state).toMatchObject({ mode: "offline", cause: "timeout", since: 20 });
    expect(effects).toEqual([
      { type: "modeChanged", from: "online", to: "offline", reason: "timeout", at: 20 },
      {
        type: "requestsAbandoned",
        requests: [
          { id: "a", why: "dropped" },
          { id: "b", why: "failed" },
        ],
      },
      { type: "disconnectNetwork" },
    ]);
  });

  it("ignores answers and failures for requests it does not track", () => {
    const start = initialConnectionState(policy, 0);
    expect(run(start, { type: "requestSucceeded", id: "x", at: 1 }).state).toBe(start);
    expect(run(start, { type: "requestFailed", id: "x", at: 1 }).state).toBe(start);
  });

  it("keeps the first deadline when a request id is started twice", () => {
    const { state } = run(
      initialConnectionState(policy, 0),
      { type: "requestStarted", id: "r", at: 0, kind: "confirm-events" },
      { type: "requestStarted", id: "r", at: 4_000, kind: "confirm-events" },
      { type: "tick", at: 5_001 },
    );
    expect(state.mode).toBe("offline");
  });

  it("does nothing at transaction start while online", () => {
    const start = initialConnectionState(policy, 0);
    expect(run(start, { type: "transactionStarting", at: 999_999 }).effects).toEqual([]);
  });
});

describe("offline: the reconnect interval", () => {
  it("sends no traffic: requests while offline are not tracked", () => {
    const offline = offlineAfterTimeout();
    const { state } = run(offline, {
      type: "requestStarted",
      id: "z",
      at: 7_000,
      kind: "server-request",
    });
    expect(state).toBe(offline);
    expect(nextDeadline(state)).toBeNull();
  });

  it("does not probe at transaction start before the interval has passed", () => {
    const offline = offlineAfterTimeout();
    const { state, effects } = run(offline, { type: "transactionStarting", at: 6_001 + 59_999 });
    expect(state).toBe(offline);
    expect(effects).toEqual([]);
  });

  it("never probes from a tick, however long it waits", () => {
    const offline = offlineAfterTimeout();
    const { state, effects } = run(offline, { type: "tick", at: 10_000_000 });
    expect(state).toBe(offline);
    expect(effects).toEqual([]);
  });

  it("runs one probe at the first transaction start once the interval has passed", () => {
    const offline = offlineAfterTimeout();
    const at = 6_001 + 60_000;
    const { state, effects } = run(offline, { type: "transactionStarting", at });
    expect(state).toMatchObject({ mode: "probing", trigger: "reconnect", deadline: at + 5_000 });
    expect(effects).toEqual([
      { type: "modeChanged", from: "offline", to: "probing", reason: "reconnect", at },
      { type: "startProbe", trigger: "reconnect", deadline: at + 5_000 },
    ]);
    expect(nextDeadline(state)).toBe(at + 5_001);
    const again = run(state, { type: "transactionStarting", at: at + 1 });
    expect(again.effects).toEqual([]);
  });

  it("returns online and uploads pending sales when the probe succeeds", () => {
    const probing = run(offlineAfterTimeout(), { type: "transactionStarting", at: 70_000 }).state;
    const { state, effects } = run(probing, { type: "probeSucceeded", at: 70_300 });
    expect(state).toEqual({ mode: "online", policy, since: 70_300, requests: [] });
    expect(effects).toEqual([
      { type: "modeChanged", from: "probing", to: "online", reason: "reconnect", at: 70_300 },
      { type: "connectNetwork" },
      { type: "uploadPending" },
    ]);
  });

  it("stays offline when the probe fails and restarts the interval from that attempt", () => {
    const probing = run(offlineAfterTimeout(), { type: "transactionStarting", at: 70_000 }).state;
    const failed = run(probing, { type: "probeFailed", at: 70_500 });
    expect(failed.state).toMatchObject({
      mode: "offline",
      cause: "probe-failed",
      lastAttemptAt: 70_500,
    });
    expect(failed.effects).toEqual([
      { type: "modeChanged", from: "probing", to: "offline", reason: "probe-failed", at: 70_500 },
    ]);
    expect(run(failed.state, { type: "transactionStarting", at: 130_499 }).effects).toEqual([]);
    expect(run(failed.state, { type: "transactionStarting", at: 130_500 }).state.mode).toBe(
      "probing",
    );
  });

  it("bounds the probe by the switch timeout: success at the deadline counts, a tick 1 ms later fails it", () => {
    const probing = run(offlineAfterTimeout(), { type: "transactionStarting", at: 70_000 }).state;
    expect(run(probing, { type: "probeSucceeded", at: 75_000 }).state.mode).toBe("online");
    const hung = run(probing, { type: "tick", at: 75_000 });
    expect(hung.state.mode).toBe("probing");
    const timedOut = run(probing, { type: "tick", at: 75_001 });
    expect(timedOut.state).toMatchObject({ mode: "offline", lastAttemptAt: 75_001 });
    expect(timedOut.effects).toEqual([
      { type: "modeChanged", from: "probing", to: "offline", reason: "probe-failed", at: 75_001 },
    ]);
    const late = run(probing, { type: "probeSucceeded", at: 75_001 });
    expect(late.state.mode).toBe("offline");
  });

  it("ignores probe results that arrive when no probe runs", () => {
    const offline = offlineAfterTimeout();
    expect(run(offline, { type: "probeSucceeded", at: 7_000 }).state).toBe(offline);
    expect(run(offline, { type: "probeFailed", at: 7_000 }).state).toBe(offline);
  });
});

describe("operation 917", () => {
  it("Disconnect goes offline by hand, drops requests, and stops traffic", () => {
    const { state, effects } = run(
      initialConnectionState(policy, 0),
      { type: "requestStarted", id: "r", at: 0, kind: "confirm-events" },
      { type: "disconnectPressed", at: 100 },
    );
    expect(state).toEqual({ mode: "offline-manual", policy, since: 100 });
    expect(effects).toEqual([
      { type: "modeChanged", from: "online", to: "offline-manual", reason: "manual", at: 100 },
      { type: "requestsAbandoned", requests: [{ id: "r", why: "dropped" }] },
      { type: "disconnectNetwork" },
    ]);
    expect(nextDeadline(state)).toBeNull();
  });

  it("a manual disconnect ignores the interval and stays across transactions", () => {
    let state = run(initialConnectionState(policy, 0), { type: "disconnectPressed", at: 0 }).state;
    for (let at = 1; at < 10 * 86_400_000; at += 3_600_000) {
      const result = run(state, { type: "transactionStarting", at }, { type: "tick", at });
      expect(result.effects).toEqual([]);
      state = result.state;
    }
    expect(state.mode).toBe("offline-manual");
  });

  it("Disconnect while offline after a timeout locks the register offline", () => {
    const { state, effects } = run(offlineAfterTimeout(), { type: "disconnectPressed", at: 7_000 });
    expect(state.mode).toBe("offline-manual");
    expect(effects).toEqual([
      { type: "modeChanged", from: "offline", to: "offline-manual", reason: "manual", at: 7_000 },
    ]);
    expect(run(state, { type: "transactionStarting", at: 1_000_000 }).effects).toEqual([]);
  });

  it("Connect probes at once, whatever the interval", () => {
    const manual = run(initialConnectionState(policy, 0), {
      type: "disconnectPressed",
      at: 0,
    }).state;
    const { state, effects } = run(manual, { type: "connectPressed", at: 10, saleOpen: false });
    expect(state).toMatchObject({ mode: "probing", trigger: "manual", deadline: 5_010 });
    expect(effects).toEqual([
      { type: "modeChanged", from: "offline-manual", to: "probing", reason: "manual", at: 10 },
      { type: "startProbe", trigger: "manual", deadline: 5_010 },
    ]);
    const ok = run(state, { type: "probeSucceeded", at: 20 });
    expect(ok.state.mode).toBe("online");
    expect(ok.effects).toEqual([
      { type: "modeChanged", from: "probing", to: "online", reason: "manual", at: 20 },
      { type: "connectNetwork" },
      { type: "uploadPending" },
    ]);
  });

  it("Connect also probes at once while offline after a timeout, before the interval", () => {
    const { state } = run(offlineAfterTimeout(), {
      type: "connectPressed",
      at: 6_002,
      saleOpen: false,
    });
    expect(state).toMatchObject({ mode: "probing", trigger: "manual" });
  });

  it("a failed Connect leaves the register offline with automatic reconnect", () => {
    const manual = run(initialConnectionState(policy, 0), {
      type: "disconnectPressed",
      at: 0,
    }).state;
    const { state } = run(
      manual,
      { type: "connectPressed", at: 10, saleOpen: false },
      { type: "probeFailed", at: 30 },
    );
    expect(state).toMatchObject({ mode: "offline", cause: "probe-failed", lastAttemptAt: 30 });
  });

  it("refuses Connect while a sale is open, saying why", () => {
    const manual = run(initialConnectionState(policy, 0), {
      type: "disconnectPressed",
      at: 0,
    }).state;
    const { state, effects } = run(manual, { type: "connectPressed", at: 10, saleOpen: true });
    expect(state).toBe(manual);
    expect(effects).toEqual([
      {
        type: "refused",
        code: "SALE_OPEN",
        message: expect.stringContaining("Finish or void the sale first"),
      },
    ]);
  });

  it("refuses Connect while connected or while an attempt runs", () => {
    const online = initialConnectionState(policy, 0);
    expect(run(online, { type: "connectPressed", at: 1, saleOpen: false }).effects).toEqual([
      { type: "refused", code: "ALREADY_CONNECTED", message: expect.any(String) },
    ]);
    const probing = run(
      online,
      { type: "disconnectPressed", at: 0 },
      {
        type: "connectPressed",
        at: 1,
        saleOpen: false,
      },
    ).state;
    const again = run(probing, { type: "connectPressed", at: 2, saleOpen: false });
    expect(again.state).toBe(probing);
    expect(again.effects).toMatchObject([{ type: "refused", code: "CONNECTION_ATTEMPT_RUNNING" }]);
    expect(run(probing, { type: "disconnectPressed", at: 2 }).effects).toMatchObject([
      { type: "refused", code: "CONNECTION_ATTEMPT_RUNNING" },
    ]);
  });

  it("Disconnect twice is harmless", () => {
    const manual = run(initialConnectionState(policy, 0), {
      type: "disconnectPressed",
      at: 0,
    }).state;
    expect(run(manual, { type: "disconnectPressed", at: 5 })).toEqual({
      state: manual,
      effects: [],
    });
  });
});

describe("register without offline support", () => {
  it("becomes unavailable on timeout, never offline", () => {
    const { state, effects } = run(
      initialConnectionState(noOfflineSupport, 0),
      { type: "requestStarted", id: "r", at: 0, kind: "confirm-events" },
      { type: "tick", at: 5_001 },
    );
    expect(state).toEqual({
      mode: "unavailable",
      policy: noOfflineSupport,
      since: 5_001,
      lastAttemptAt: 5_001,
    });
    expect(effects[0]).toEqual({
      type: "modeChanged",
      from: "online",
      to: "unavailable",
      reason: "timeout",
      at: 5_001,
    });
  });

  it("retries at every transaction start, ignoring the interval", () => {
    const unavailable = offlineAfterTimeout(noOfflineSupport);
    const first = run(unavailable, { type: "transactionStarting", at: 6_002 });
    expect(first.state).toMatchObject({ mode: "probing", trigger: "reconnect" });
    const failed = run(first.state, { type: "probeFailed", at: 6_100 });
    expect(failed.state.mode).toBe("unavailable");
    const second = run(failed.state, { type: "transactionStarting", at: 6_101 });
    expect(second.state.mode).toBe("probing");
    const ok = run(second.state, { type: "probeSucceeded", at: 6_200 });
    expect(ok.state.mode).toBe("online");
    expect(types(ok.effects)).toEqual(["modeChanged", "connectNetwork"]);
  });

  it("refuses Disconnect", () => {
    const online = initialConnectionState(noOfflineSupport, 0);
    const { state, effects } = run(online, { type: "disconnectPressed", at: 1 });
    expect(state).toBe(online);
    expect(effects).toMatchObject([{ type: "refused", code: "NO_OFFLINE_SUPPORT" }]);
  });

  it("a hanging probe leaves it unavailable", () => {
    const probing = run(offlineAfterTimeout(noOfflineSupport), {
      type: "transactionStarting",
      at: 7_000,
    }).state;
    expect(run(probing, { type: "tick", at: 12_001 }).state.mode).toBe("unavailable");
  });
});
