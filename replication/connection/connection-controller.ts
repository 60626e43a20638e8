import type { ModeChangeReason } from "../../domain/events.ts";
import type { ConnectionErrorCode } from "./connection-error.ts";

/**
 * The connection controller as a pure state machine: `transition(state, input)` returns the next
 * state and the effects a driver must carry out. Time only enters through the `at` of each input,
 * so every rule is testable without timers, and a driver needs exactly one timer, armed for
 * `nextDeadline(state)`.
 *
 * The rules (the register's offline behaviour):
 * - online: every data request (a confirmation that the server holds new events, or an explicit
 *   server request) must succeed within the switch timeout. The deadline is inclusive: an answer
 *   at `startedAt + switchTimeoutMs` counts, one arriving (or a tick) 1 ms later does not. A
 *   request that fails before its deadline (socket closed) switches at once.
 * - offline (after a timeout or a failed probe): no traffic to the server. Only at transaction
 *   start, and only if the reconnect interval has passed since the last attempt, one probe runs.
 * - offline-manual (operation 917 Disconnect): stays until Connect; the interval is ignored.
 * - probing: one probe, bounded by the switch timeout (inclusive deadline, as for requests).
 *   Success: online, then upload everything pending. Failure: offline, and the reconnect interval
 *   restarts from the moment of that failure.
 * - unavailable: a register without offline support never goes offline; when the server is
 *   unreachable it is unavailable (no new sale may start) and retries at every transaction start.
 *
 * Every input first settles the deadlines that passed before its `at`, so a late answer or a
 * late tick cannot undo a timeout.
 */

/** What the status header shows; `probing` is the short time a reconnect attempt runs. */
export const REGISTER_CONNECTION_MODES = [
  "online",
  "offline",
  "offline-manual",
  "probing",
  "unavailable",
] as const;
export type RegisterConnectionMode = (typeof REGISTER_CONNECTION_MODES)[number];

/** Data requests the controller watches: confirmations of new events, explicit server requests. */
export const DATA_REQUEST_KINDS = ["confirm-events", "server-request"] as const;
export type DataRequestKind = (typeof DATA_REQUEST_KINDS)[number];

/** What started a probe: the reconnect interval at transaction start, or operation 917 Connect. */
export const PROBE_TRIGGERS = ["reconnect", "manual"] as const;
export type ProbeTrigger = (typeof PROBE_TRIGGERS)[number];

/** The offline profile timings plus the register's offline support flag. */
export type ConnectionPolicy = {
  readonly switchTimeoutMs: number;
  readonly reconnectIntervalMs: number;
  /** Without offline support the register cannot switch offline: it becomes `unavailable`. */
  readonly offlineSupport: boolean;
};

/** A data request in flight; `deadline` is the last instant at which its answer still counts. */
export type OutstandingRequest = {
  readonly id: string;
  readonly kind: DataRequestKind;
  readonly startedAt: number;
  readonly deadline: number;
};

type StateBase = {
  readonly policy: ConnectionPolicy;
  /** When the register entered this mode. */
  readonly since: number;
};

export type OnlineState = StateBase & {
  readonly mode: "online";
  readonly requests: readonly OutstandingRequest[];
};

export type OfflineState = StateBase & {
  readonly mode: "offline";
  readonly cause: "timeout" | "probe-failed";
  /** The reconnect interval counts from here: the switch, or the last failed probe. */
  readonly lastAttemptAt: number;
};

export type ManualOfflineState = StateBase & {
  readonly mode: "offline-manual";
};

export type ProbingState = StateBase & {
  readonly mode: "probing";
  readonly trigger: ProbeTrigger;
  /** Last instant at which the probe's success still counts. */
  readonly deadline: number;
};

export type UnavailableState = StateBase & {
  readonly mode: "unavailable";
  readonly lastAttemptAt: number;
};

/** The controller's state: one of the register connection modes with what that mode needs. */
export type ConnectionState =
  | OnlineState
  | OfflineState
  | ManualOfflineState
  | ProbingState
  | UnavailableState;

/** Everything that can happen to the controller, each stamped with the clock's time. */
export type ConnectionInput =
  | {
      readonly type: "requestStarted";
      readonly id: string;
      readonly at: number;
      readonly kind: DataRequestKind;
    }
  | { readonly type: "requestSucceeded"; readonly id: string; readonly at: number }
  | { readonly type: "requestFailed"; readonly id: string; readonly at: number }
  | { readonly type: "tick"; readonly at: number }
  | { readonly type: "transactionStarting"; readonly at: number }
  | { readonly type: "probeSucceeded"; readonly at: number }
  | { readonly type: "probeFailed"; readonly at: number }
  | { readonly type: "disconnectPressed"; readonly at: number }
  | { readonly type: "connectPressed"; readonly at: number; readonly saleOpen: boolean };

/** Why a request the controller was watching is no longer watched. */
export type AbandonedRequest = {
  readonly id: string;
  /** expired: its deadline passed; dropped: the register left online for another reason. */
  readonly why: "expired" | "failed" | "dropped";
};

/** What the driver must do after a transition, in order. */
export type ConnectionEffect =
  | {
      readonly type: "modeChanged";
      readonly from: RegisterConnectionMode;
      readonly to: RegisterConnectionMode;
      readonly reason: ModeChangeReason;
      readonly at: number;
    }
  | { readonly type: "startProbe"; readonly trigger: ProbeTrigger; readonly deadline: number }
  | { readonly type: "uploadPending" }
  | { readonly type: "disconnectNetwork" }
  | { readonly type: "connectNetwork" }
  | { readonly type: "requestsAbandoned"; readonly requests: readonly AbandonedRequest[] }
  | { readonly type: "refused"; readonly code: ConnectionErrorCode; readonly message: string };

export type ConnectionTransition = {
  readonly state: ConnectionState;
  readonly effects: readonly ConnectionEffect[];
};

/** A register starts online with nothing outstanding; the first unanswered request tells. */
export function initialConnectionState(policy: ConnectionPolicy, at: number): ConnectionState {
  return { mode: "online", policy, since: at, requests: [] };
}

/**
 * The instant at which the driver must deliver a `tick`, or null when no deadline is running.
 * It is one millisecond past the earliest deadline, because an answer arriving exactly at its
 * deadline still counts.
 */
export function nextDeadline(state: ConnectionState): number | null {
  switch (state.mode) {
    case "online": {
      if (state.requests.length === 0) return null;
      let earliest = Number.POSITIVE_INFINITY;
      for (const request of state.requests) earliest = Math.min(earliest, request.deadline);
      return earliest + 1;
    }
    case "probing":
      return state.deadline + 1;
    case "offline":
    case "offline-manual":
    case "unavailable":
      return null;
  }
}

/** Whether the register is connected to the retail server (and may use online-only operations). */
export function isConnected(mode: RegisterConnectionMode): boolean {
  return mode === "online";
}

const unchanged = (state: ConnectionState): ConnectionTransition => ({ state, effects: [] });

const refused = (
  state: ConnectionState,
  code: ConnectionErrorCode,
  message: string,
): ConnectionTransition => ({ state, effects: [{ type: "refused", code, message }] });

function leaveOnline(
  state: OnlineState,
  at: number,
  abandoned: readonly AbandonedRequest[],
): ConnectionTransition {
  const next: ConnectionState = state.policy.offlineSupport
    ? { mode: "offline", policy: state.policy, since: at, cause: "timeout", lastAttemptAt: at }
    : { mode: "unavailable", policy: state.policy, since: at, lastAttemptAt: at };
  return {
    state: next,
    effects: [
      { type: "modeChanged", from: "online", to: next.mode, reason: "timeout", at },
      { type: "requestsAbandoned", requests: abandoned },
      { type: "disconnectNetwork" },
    ],
  };
}

function startProbing(
  state: OfflineState | ManualOfflineState | UnavailableState,
  at: number,
  trigger: ProbeTrigger,
): ConnectionTransition {
  const deadline = at + state.policy.switchTimeoutMs;
  return {
    state: { mode: "probing", policy: state.policy, since: at, trigger, deadline },
    effects: [
      { type: "modeChanged", from: state.mode, to: "probing", reason: trigger, at },
      { type: "startProbe", trigger, deadline },
    ],
  };
}

function probeFailed(state: ProbingState, at: number): ConnectionTransition {
  const next: ConnectionState = state.policy.offlineSupport
    ? { mode: "offline", policy: state.policy, since: at, cause: "probe-failed", lastAttemptAt: at }
    : { mode: "unavailable", policy: state.policy, since: at, lastAttemptAt: at };
  return {
    state: next,
    effects: [{ type: "modeChanged", from: "probing", to: next.mode, reason: "probe-failed", at }],
  };
}

function probeSucceeded(state: ProbingState, at: number): ConnectionTransition {
  const effects: ConnectionEffect[] = [
    { type: "modeChanged", from: "probing", to: "online", reason: state.trigger, at },
    { type: "connectNetwork" },
  ];
  if (state.policy.offlineSupport) effects.push({ type: "uploadPending" });
  return { state: { mode: "online", policy: state.policy, since: at, requests: [] }, effects };
}

/** Settles every deadline that passed strictly before `at`. */
function settleDeadlines(state: ConnectionState, at: number): ConnectionTransition {
  if (state.mode === "online") {
    if (!state.requests.some((request) => request.deadline < at)) return unchanged(state);
    return leaveOnline(
      state,
      at,
      state.requests.map((request) => ({
        id: request.id,
        why: request.deadline < at ? "expired" : "dropped",
      })),
    );
  }
  if (state.mode === "probing" && state.deadline < at) return probeFailed(state, at);
  return unchanged(state);
}

function applyInput(state: ConnectionState, input: ConnectionInput): ConnectionTransition {
  switch (input.type) {
    case "tick":
      return unchanged(state);

    case "requestStarted": {
      if (state.mode !== "online") return unchanged(state);
      if (state.requests.some((request) => request.id === input.id)) return unchanged(state);
      const request: OutstandingRequest = {
        id: input.id,
        kind: input.kind,
        startedAt: input.at,
        deadline: input.at + state.policy.switchTimeoutMs,
      };
      return { state: { ...state, requests: [...state.requests, request] }, effects: [] };
    }

    case "requestSucceeded": {
      if (state.mode !== "online") return unchanged(state);
      if (!state.requests.some((request) => request.id === input.id)) return unchanged(state);
      return {
        state: { ...state, requests: state.requests.filter((request) => request.id !== input.id) },
        effects: [],
      };
    }

    case "requestFailed": {
      if (state.mode !== "online") return unchanged(state);
      if (!state.requests.some((request) => request.id === input.id)) return unchanged(state);
      return leaveOnline(
        state,
        input.at,
        state.requests.map((request) => ({
          id: request.id,
          why: request.id === input.id ? "failed" : "dropped",
        })),
      );
    }

    case "transactionStarting": {
      if (state.mode === "unavailable") return startProbing(state, input.at, "reconnect");
      if (
        state.mode === "offline" &&
        input.at - state.lastAttemptAt >= state.policy.reconnectIntervalMs
      ) {
        return startProbing(state, input.at, "reconnect");
      }
      return unchanged(state);
    }

    case "probeSucceeded":
      return state.mode === "probing" ? probeSucceeded(state, input.at) : unchanged(state);

    case "probeFailed":
      return state.mode === "probing" ? probeFailed(state, input.at) : unchanged(state);

    case "disconnectPressed": {
      if (!state.policy.offlineSupport) {
        return refused(
          state,
          "NO_OFFLINE_SUPPORT",
          "This register has no offline support, so it cannot work disconnected. Ask head office to turn on offline support for it.",
        );
      }
      switch (state.mode) {
        case "online":
          return {
            state: { mode: "offline-manual", policy: state.policy, since: input.at },
            effects: [
              {
                type: "modeChanged",
                from: "online",
                to: "offline-manual",
                reason: "manual",
                at: input.at,
              },
              {
                type: "requestsAbandoned",
                requests: state.requests.map((request) => ({ id: request.id, why: "dropped" })),
              },
              { type: "disconnectNetwork" },
            ],
          };
        case "offline":
          return {
            state: { mode: "offline-manual", policy: state.policy, since: input.at },
            effects: [
              {
                type: "modeChanged",
                from: "offline",
                to: "offline-manual",
                reason: "manual",
                at: input.at,
              },
            ],
          };
        case "offline-manual":
          return unchanged(state);
        case "probing":
          return refused(
            state,
            "CONNECTION_ATTEMPT_RUNNING",
            "The register is trying to reach the server. Wait a few seconds for the attempt to finish, then press Disconnect again.",
          );
        case "unavailable":
          return unchanged(state);
      }
      return unchanged(state);
    }

    case "connectPressed": {
      switch (state.mode) {
        case "online":
          return refused(
            state,
            "ALREADY_CONNECTED",
            "The register is already connected to the retail server.",
          );
        case "probing":
          return refused(
            state,
            "CONNECTION_ATTEMPT_RUNNING",
            "The register is already trying to reach the server. Wait a few seconds for the attempt to finish.",
          );
        case "offline":
        case "offline-manual":
        case "unavailable":
          if (input.saleOpen) {
            return refused(
              state,
              "SALE_OPEN",
              "A sale is open. Finish or void the sale first: the register changes its database connection only between sales.",
            );
          }
          return startProbing(state, input.at, "manual");
      }
      return unchanged(state);
    }
  }
}

/**
 * The next state and the effects to carry out, for one input. Pure and total: inputs that do not
 * apply to the current mode (a late answer, a stale probe result) leave the state unchanged.
 *
 * @example
 * const { state, effects } = transition(current, { type: "tick", at: clock.now() });
 */
export function transition(state: ConnectionState, input: ConnectionInput): ConnectionTransition {
  const settled = settleDeadlines(state, input.at);
  const applied = applyInput(settled.state, input);
  if (settled.effects.length === 0) return applied;
  return { state: applied.state, effects: [...settled.effects, ...applied.effects] };
}
