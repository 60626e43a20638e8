import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ConnectionInput,
  type ConnectionPolicy,
  type ConnectionState,
  initialConnectionState,
  nextDeadline,
  REGISTER_CONNECTION_MODES,
  type RegisterConnectionMode,
  transition,
} from "../../../replication/connection/connection-controller.ts";
import {
  type ConnectionClock,
  ConnectionController,
  type ModeChangedEffect,
} from "../../../replication/connection/connection-controller-driver.ts";

const runs = Number(process.env.POS_PROPERTY_RUNS ?? 100);

const policyArb = fc.record({
  switchTimeoutMs: fc.integer({ min: 100, max: 10_000 }),
  reconnectIntervalMs: fc.integer({ min: 1_000, max: 120_000 }),
  offlineSupport: fc.boolean(),
});

const ids = ["a", "b", "c", "d"] as const;

/** An input without its time; times are added as a non-decreasing sequence. */
const inputArb: fc.Arbitrary<(at: number) => ConnectionInput> = fc.oneof(
  fc
    .record({
      id: fc.constantFrom(...ids),
      kind: fc.constantFrom("confirm-events", "server-request"),
    })
    .map(({ id, kind }) => (at: number) => ({ type: "requestStarted" as const, id, kind, at })),
  fc
    .constantFrom(...ids)
    .map((id) => (at: number) => ({ type: "requestSucceeded" as const, id, at })),
  fc.constantFrom(...ids).map((id) => (at: number) => ({ type: "requestFailed" as const, id, at })),
  fc.constant((at: number) => ({ type: "tick" as const, at })),
  fc.constant((at: number) => ({ type: "transactionStarting" as const, at })),
  fc.constant((at: number) => ({ type: "probeSucceeded" as const, at })),
  fc.constant((at: number) => ({ type: "probeFailed" as const, at })),
  fc.constant((at: number) => ({ type: "disconnectPressed" as const, at })),
  fc
    .boolean()
    .map((saleOpen) => (at: number) => ({ type: "connectPressed" as const, at, saleOpen })),
);

const stepArb = fc.record({
  advance: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200_000 })),
  input: inputArb,
});

function expectWellFormed(state: ConnectionState, policy: ConnectionPolicy, now: number): void {
  expect(REGISTER_CONNECTION_MODES).toContain(state.mode);
  expect(state.policy).toBe(policy);
  expect(state.since).toBeLessThanOrEqual(now);
  switch (state.mode) {
    case "online":
      for (const request of state.requests) {
        expect(request.deadline).toBe(request.startedAt + policy.switchTimeoutMs);
        expect(request.deadline).toBeGreaterThanOrEqual(now);
      }
      expect(new Set(state.requests.map((r) => r.id)).size).toBe(state.requests.length);
      break;
    case "probing":
      expect(state.deadline).toBe(state.since + policy.switchTimeoutMs);
      expect(state.deadline).toBeGreaterThanOrEqual(now);
      break;
    case "offline":
    case "unavailable":
      expect(state.lastAttemptAt).toBeLessThanOrEqual(now);
      break;
    case "offline-manual":
      break;
  }
  if (!policy.offlineSupport) expect(["offline", "offline-manual"]).not.toContain(state.mode);
  const due = nextDeadline(state);
  if (state.mode === "online" || state.mode === "probing") {
    if (due !== null) expect(due).toBeGreaterThan(now);
  } else {
    expect(due).toBeNull();
  }
}

describe("connection controller properties", () => {
  it("any input sequence keeps a well-formed state and consistent mode changes", () => {
    fc.assert(
      fc.property(policyArb, fc.array(stepArb, { maxLength: 60 }), (policy, steps) => {
        let now = 0;
        let state = initialConnectionState(policy, now);
        let mode: RegisterConnectionMode = state.mode;
        for (const step of steps) {
          now += step.advance;
          const before = state;
          const result = transition(state, step.input(now));
          state = result.state;
          for (const effect of result.effects) {
            if (effect.type === "modeChanged") {
              expect(effect.from).toBe(mode);
              expect(effect.to).not.toBe(effect.from);
              mode = effect.to;
            }
            if (effect.type === "refused") {
              expect(state).toEqual(transition(before, { type: "tick", at: now }).state);
            }
            if (effect.type === "startProbe") expect(state.mode).toBe("probing");
            if (effect.type === "uploadPending") expect(policy.offlineSupport).toBe(true);
          }
          expect(state.mode).toBe(mode);
          expectWellFormed(state, policy, now);
        }
      }),
      { numRuns: runs },
    );
  });

  it("a tick never starts a reconnect; only a transaction start or Connect does", () => {
    fc.assert(
      fc.property(policyArb, fc.array(stepArb, { maxLength: 40 }), (policy, steps) => {
        let now = 0;
        let state = initialConnectionState(policy, now);
        for (const step of steps) {
          now += step.advance;
          const input = step.input(now);
          const result = transition(state, input);
          if (result.state.mode === "probing" && state.mode !== "probing") {
            expect(["transactionStarting", "connectPressed"]).toContain(input.type);
          }
          state = result.state;
        }
      }),
      { numRuns: runs },
    );
  });
});

/** A hand-driven clock that records every timer armed and cleared. */
class ManualClock implements ConnectionClock {
  nowMs = 0;
  readonly timers = new Map<number, { due: number; callback: () => void }>();
  #next = 1;

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.#next++;
    this.timers.set(handle, { due: this.nowMs + ms, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing due timers in order at their due time. */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      let first: [number, { due: number; callback: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].due <= target && (first === undefined || entry[1].due < first[1].due)) {
          first = entry;
        }
      }
      if (first === undefined) break;
      this.timers.delete(first[0]);
      this.nowMs = Math.max(this.nowMs, first[1].due);
      first[1].callback();
    }
    this.nowMs = target;
  }
}

type Deferred = { resolve: () => void; reject: (error: Error) => void };

function deferred(): { promise: Promise<void>; control: Deferred } {
  let control: Deferred = { resolve: () => {}, reject: () => {} };
  const promise = new Promise<void>((resolve, reject) => {
    control = { resolve, reject };
  });
  return { promise, control };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

const commandArb = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map((ms) => ({ type: "advance" as const, ms })),
  fc.constantFrom(...ids).map((id) => ({ type: "expect" as const, id })),
  fc.constantFrom(...ids).map((id) => ({ type: "confirm" as const, id })),
  fc.constant({ type: "track" as const }),
  fc.boolean().map((ok) => ({ type: "settleRequest" as const, ok })),
  fc.boolean().map((ok) => ({ type: "settleProbe" as const, ok })),
  fc.constant({ type: "beforeTransaction" as const }),
  fc.boolean().map((saleOpen) => ({ type: "press917" as const, saleOpen })),
  fc.constant({ type: "connectionLost" as const }),
);

describe("ConnectionController driver properties", () => {
  it("at most one timer, armed exactly for the next deadline; mode changes chain; subscribers agree", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(commandArb, { maxLength: 40 }),
        async (offlineSupport, commands) => {
          const clock = new ManualClock();
          const probes: Deferred[] = [];
          const requests: Deferred[] = [];
          const changes: ModeChangedEffect[] = [];
          const heard: RegisterConnectionMode[] = [];
          const controller = new ConnectionController({
            profile: { switchTimeoutMs: 5_000, reconnectIntervalMs: 60_000 },
            offlineSupport,
            clock,
            probe: () => {
              const { promise, control } = deferred();
              probes.push(control);
              return promise;
            },
            onEffect: { modeChanged: (change) => changes.push(change) },
          });
          controller.subscribe((mode) => heard.push(mode));
          for (const command of commands) {
            switch (command.type) {
              case "advance":
                clock.advance(command.ms);
                break;
              case "expect":
                controller.expectConfirmation(command.id);
                break;
              case "confirm":
                controller.confirm(command.id);
                break;
              case "track": {
                const { promise, control } = deferred();
                requests.push(control);
                controller.trackRequest("server-request", promise).catch(() => {});
                break;
              }
              case "settleRequest": {
                const request = requests.shift();
                if (command.ok) request?.resolve();
                else request?.reject(new Error("socket closed"));
                break;
              }
              case "settleProbe": {
                const probe = probes.shift();
                if (command.ok) probe?.resolve();
                else probe?.reject(new Error("refused"));
                break;
              }
              case "beforeTransaction":
                void controller.beforeTransaction();
                break;
              case "press917":
                void controller.pressOperation917({ saleOpen: command.saleOpen });
                break;
              case "connectionLost":
                controller.connectionLost();
                break;
            }
            await flush();
            expect(clock.timers.size).toBeLessThanOrEqual(1);
            const due = nextDeadline(controller.state);
            const armed = [...clock.timers.values()][0];
            if (due === null) expect(armed).toBeUndefined();
            else expect(armed?.due).toBe(due);
            expect(REGISTER_CONNECTION_MODES).toContain(controller.mode);
            if (!offlineSupport) {
              expect(["offline", "offline-manual"]).not.toContain(controller.mode);
            }
          }
          let previous: RegisterConnectionMode = "online";
          for (const change of changes) {
            expect(change.from).toBe(previous);
            previous = change.to;
          }
          expect(previous).toBe(controller.mode);
          expect(heard).toEqual(changes.map((change) => change.to));
          controller.dispose();
          expect(clock.timers.size).toBe(0);
        },
      ),
      { numRuns: runs },
    );
  });
});
