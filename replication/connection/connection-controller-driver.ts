import type { OfflineProfile } from "../../domain/master-data.ts";
import {
  type ConnectionEffect,
  type ConnectionInput,
  type ConnectionState,
  type DataRequestKind,
  initialConnectionState,
  nextDeadline,
  type RegisterConnectionMode,
  transition,
} from "./connection-controller.ts";
import { ConnectionError } from "./connection-error.ts";
import { parseOfflineProfileTimings } from "./offline-profile.ts";
import type { Operation917Result } from "./operation-917.ts";

/**
 * Runs the pure connection state machine against a real (or fake) clock: delivers ticks from
 * exactly one timer armed for `nextDeadline`, runs the probe bounded by the switch timeout, and
 * hands effects to the register through hooks. The register app and the headless register use
 * the same driver; only the clock, the probe and the hooks differ.
 */

/** The time source and the one timer the controller uses; pass fakes in tests. */
export type ConnectionClock = {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/** The wall clock and the global timers. */
export const systemClock: ConnectionClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The audit record of one mode change; the register stores it as a `ModeChanged` event. */
export type ModeChangedEffect = Extract<ConnectionEffect, { type: "modeChanged" }>;

/** What the register does for each effect. Async hooks run in the background. */
export type ConnectionEffectHooks = {
  /** Record the change (a `ModeChanged` event, see `modeChangedEvent`). */
  readonly modeChanged?: (change: ModeChangedEffect) => void;
  /** Attach the repo's network adapter to the retail server again. */
  readonly connectNetwork?: () => void | Promise<void>;
  /** Stop all traffic to the retail server. */
  readonly disconnectNetwork?: () => void | Promise<void>;
  /** Upload everything sold while offline. */
  readonly uploadPending?: () => void | Promise<void>;
};

export type ConnectionControllerOptions = {
  /** The register's resolved offline profile (only the two timings are used). */
  readonly profile: Pick<OfflineProfile, "switchTimeoutMs" | "reconnectIntervalMs">;
  readonly offlineSupport: boolean;
  readonly clock: ConnectionClock;
  /**
   * Connect and complete a health handshake with the retail server; resolve when the server is
   * usable. The controller aborts `signal` when the switch timeout passes and counts it as failed.
   */
  readonly probe: (signal: AbortSignal) => Promise<void>;
  readonly onEffect?: ConnectionEffectHooks;
  /** Told about hooks or listeners that threw; the controller itself carries on. */
  readonly onHookError?: (error: unknown, effect: ConnectionEffect | { type: "listener" }) => void;
};

type Tracker = {
  readonly reject: (error: ConnectionError) => void;
  failure: unknown;
  /** Set while its in-time answer is being reported, so a switch caused by another request keeps it. */
  deliverAnswer: (() => void) | undefined;
};

type ProbeRun = {
  readonly abort: AbortController;
  readonly finished: Promise<void>;
  readonly finish: () => void;
};

type Queued = {
  readonly input: ConnectionInput;
  readonly onEffects: ((effects: readonly ConnectionEffect[]) => void) | undefined;
};

/**
 * The register's connection controller.
 *
 * @example
 * const controller = new ConnectionController({ profile, offlineSupport: true, clock: systemClock,
 *   probe: (signal) => server.health({ signal }), onEffect: { uploadPending: () => upload() } });
 * controller.subscribe((mode) => header.setMode(mode));
 * await controller.beforeTransaction(); // at sale start: the only moment a reconnect happens
 */
export class ConnectionController {
  readonly #clock: ConnectionClock;
  readonly #probe: (signal: AbortSignal) => Promise<void>;
  readonly #hooks: ConnectionEffectHooks;
  readonly #onHookError: NonNullable<ConnectionControllerOptions["onHookError"]>;
  readonly #listeners = new Set<(mode: RegisterConnectionMode) => void>();
  readonly #trackers = new Map<string, Tracker>();
  readonly #inbox: Queued[] = [];
  #state: ConnectionState;
  #timer: { readonly token: object; readonly handle: unknown; readonly due: number } | undefined;
  #probeRun: ProbeRun | undefined;
  #draining = false;
  #disposed = false;
  #requestCount = 0;

  /** @throws ConnectionError `OFFLINE_PROFILE_INVALID` when the profile timings are out of bounds. */
  constructor(options: ConnectionControllerOptions) {
    const timings = parseOfflineProfileTimings({
      switchTimeoutMs: options.profile.switchTimeoutMs,
      reconnectIntervalMs: options.profile.reconnectIntervalMs,
    });
    this.#clock = options.clock;
    this.#probe = options.probe;
    this.#hooks = options.onEffect ?? {};
    this.#onHookError = options.onHookError ?? (() => {});
    this.#state = initialConnectionState(
      { ...timings, offlineSupport: options.offlineSupport },
      this.#clock.now(),
    );
  }

  /** The mode the status header shows. */
  get mode(): RegisterConnectionMode {
    return this.#state.mode;
  }

  /** The full state (when the mode began, the last reconnect attempt, requests in flight). */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Calls `listener` with the new mode after every mode change (not with the current mode:
   * read `mode` for that). Returns the function that unsubscribes.
   */
  subscribe(listener: (mode: RegisterConnectionMode) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Watches an explicit server request. Resolves with its value if it succeeds within the switch
   * timeout. Rejects with `SERVER_REQUEST_TIMED_OUT` when the timeout passes first, or
   * `SERVER_REQUEST_FAILED` when it fails first; either switches the register offline. While not
   * connected it rejects at once with `REGISTER_NOT_CONNECTED`. `promise` must resolve whenever
   * the server answered, even with a refusal: a rejection means the server could not be reached.
   */
  trackRequest<T>(kind: DataRequestKind, promise: Promise<T>): Promise<T> {
    if (this.#disposed || this.#state.mode !== "online") {
      promise.catch(() => {});
      return Promise.reject(
        new ConnectionError(
          "REGISTER_NOT_CONNECTED",
          "The register is not connected to the retail server, so the request was not sent. Try again once it is connected.",
        ),
      );
    }
    this.#requestCount += 1;
    const id = `${kind}:${this.#requestCount}`;
    return new Promise<T>((resolve, reject) => {
      const tracker: Tracker = { reject, failure: undefined, deliverAnswer: undefined };
      this.#trackers.set(id, tracker);
      this.#dispatch({ type: "requestStarted", id, kind, at: this.#clock.now() });
      promise.then(
        (value) => {
          if (this.#trackers.get(id) !== tracker) return;
          tracker.deliverAnswer = () => resolve(value);
          this.#dispatch({ type: "requestSucceeded", id, at: this.#clock.now() });
          if (this.#trackers.get(id) !== tracker) return;
          this.#trackers.delete(id);
          resolve(value);
        },
        (error: unknown) => {
          if (this.#trackers.get(id) !== tracker) return;
          tracker.failure = error;
          this.#dispatch({ type: "requestFailed", id, at: this.#clock.now() });
          if (this.#trackers.get(id) !== tracker) return;
          this.#trackers.delete(id);
          reject(this.#requestError("failed", error));
        },
      );
    });
  }

  /**
   * Starts waiting for the server to confirm it holds the events of a sale command (`id` is any
   * token the register chooses, e.g. the last event id). Ignored while not connected: those
   * events are uploaded on reconnect.
   */
  expectConfirmation(id: string): void {
    this.#dispatch({
      type: "requestStarted",
      id: `confirm-events:${id}`,
      kind: "confirm-events",
      at: this.#clock.now(),
    });
  }

  /** The server confirmed it holds the events announced with `expectConfirmation(id)`. */
  confirm(id: string): void {
    this.#dispatch({ type: "requestSucceeded", id: `confirm-events:${id}`, at: this.#clock.now() });
  }

  /**
   * The link to the server dropped (socket closed): any data request in flight has failed, so
   * the register switches without waiting for the timeout. Without a request in flight nothing
   * changes: the next request decides.
   */
  connectionLost(): void {
    const state = this.#state;
    if (state.mode !== "online") return;
    const first = state.requests[0];
    if (first === undefined) return;
    this.#dispatch({ type: "requestFailed", id: first.id, at: this.#clock.now() });
  }

  /**
   * Call at the start of every transaction, and only then. Runs at most one reconnect probe
   * (when the reconnect interval has passed, or on every start when unavailable) and resolves
   * once it is over. Never rejects: read `mode` afterwards.
   */
  async beforeTransaction(): Promise<void> {
    this.#dispatch({ type: "transactionStarting", at: this.#clock.now() });
    await this.#probeRun?.finished;
  }

  /**
   * Operation 917: Disconnect while connected, Connect otherwise. Connect probes at once and
   * resolves after the attempt; it is refused while a sale is open.
   */
  async pressOperation917(context: { readonly saleOpen: boolean }): Promise<Operation917Result> {
    const wasConnected = this.#state.mode === "online";
    let refusal: Extract<ConnectionEffect, { type: "refused" }> | undefined;
    const at = this.#clock.now();
    this.#dispatch(
      wasConnected
        ? { type: "disconnectPressed", at }
        : { type: "connectPressed", at, saleOpen: context.saleOpen },
      (effects) => {
        for (const effect of effects) if (effect.type === "refused") refusal = effect;
      },
    );
    if (refusal !== undefined) {
      return { kind: "refused", code: refusal.code, message: refusal.message, mode: this.mode };
    }
    await this.#probeRun?.finished;
    if (wasConnected) return { kind: "disconnected", mode: this.mode };
    if (this.mode === "online") return { kind: "connected", mode: this.mode };
    return {
      kind: "connect-failed",
      code: "CONNECT_FAILED",
      message:
        "The retail server could not be reached. The register keeps working on its offline database; try Connect again later.",
      mode: this.mode,
    };
  }

  /**
   * Stops the controller: clears the timer, aborts a running probe, rejects watched requests.
   * Later calls do nothing.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#inbox.length = 0;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer.handle);
    this.#timer = undefined;
    this.#endProbe();
    const trackers = [...this.#trackers.values()];
    this.#trackers.clear();
    for (const tracker of trackers) {
      tracker.reject(
        new ConnectionError(
          "REGISTER_NOT_CONNECTED",
          "The register closed its connection before the server answered.",
        ),
      );
    }
    this.#listeners.clear();
  }

  #dispatch(
    input: ConnectionInput,
    onEffects?: (effects: readonly ConnectionEffect[]) => void,
  ): void {
    if (this.#disposed) return;
    this.#inbox.push({ input, onEffects });
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#inbox.shift(); next !== undefined; next = this.#inbox.shift()) {
        if (this.#disposed) break;
        const result = transition(this.#state, next.input);
        this.#state = result.state;
        if (this.#probeRun !== undefined && result.state.mode !== "probing") this.#endProbe();
        this.#armTimer();
        for (const effect of result.effects) this.#carryOut(effect);
        next.onEffects?.(result.effects);
      }
    } finally {
      this.#draining = false;
    }
  }

  #armTimer(): void {
    const due = nextDeadline(this.#state);
    if (this.#timer !== undefined && this.#timer.due === due) return;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer.handle);
      this.#timer = undefined;
    }
    if (due === null) return;
    const token = {};
    const handle = this.#clock.setTimeout(
      () => {
        if (this.#timer?.token !== token || this.#disposed) return;
        this.#timer = undefined;
        this.#dispatch({ type: "tick", at: this.#clock.now() });
        if (this.#timer === undefined) this.#armTimer();
      },
      Math.max(0, due - this.#clock.now()),
    );
    this.#timer = { token, handle, due };
  }

  #carryOut(effect: ConnectionEffect): void {
    switch (effect.type) {
      case "modeChanged":
        this.#runHook(effect, () => this.#hooks.modeChanged?.(effect));
        for (const listener of [...this.#listeners]) {
          try {
            listener(effect.to);
          } catch (error) {
            this.#onHookError(error, { type: "listener" });
          }
        }
        return;
      case "startProbe":
        this.#startProbe();
        return;
      case "connectNetwork":
        this.#runHook(effect, () => this.#hooks.connectNetwork?.());
        return;
      case "disconnectNetwork":
        this.#runHook(effect, () => this.#hooks.disconnectNetwork?.());
        return;
      case "uploadPending":
        this.#runHook(effect, () => this.#hooks.uploadPending?.());
        return;
      case "requestsAbandoned":
        for (const abandoned of effect.requests) {
          const tracker = this.#trackers.get(abandoned.id);
          if (tracker === undefined) continue;
          this.#trackers.delete(abandoned.id);
          if (abandoned.why === "dropped" && tracker.deliverAnswer !== undefined) {
            tracker.deliverAnswer();
          } else {
            tracker.reject(this.#requestError(abandoned.why, tracker.failure));
          }
        }
        return;
      case "refused":
        return;
    }
  }

  #requestError(why: "expired" | "failed" | "dropped", cause: unknown): ConnectionError {
    switch (why) {
      case "expired":
        return new ConnectionError(
          "SERVER_REQUEST_TIMED_OUT",
          "The retail server did not answer in time. The register switched to its offline database; sales continue.",
        );
      case "failed":
        return new ConnectionError(
          "SERVER_REQUEST_FAILED",
          "The connection to the retail server was lost. The register switched to its offline database; sales continue.",
          { cause },
        );
      case "dropped":
        return new ConnectionError(
          "REGISTER_NOT_CONNECTED",
          "The register went offline before the server answered. Try again once it is connected.",
        );
    }
  }

  #runHook(effect: ConnectionEffect, hook: () => void | Promise<void> | undefined): void {
    try {
      const result = hook();
      if (result instanceof Promise)
        result.catch((error: unknown) => this.#onHookError(error, effect));
    } catch (error) {
      this.#onHookError(error, effect);
    }
  }

  #startProbe(): void {
    this.#endProbe();
    const abort = new AbortController();
    let finish = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const run: ProbeRun = { abort, finished, finish };
    this.#probeRun = run;
    new Promise<void>((resolve) => resolve(this.#probe(abort.signal))).then(
      () => {
        if (this.#probeRun === run)
          this.#dispatch({ type: "probeSucceeded", at: this.#clock.now() });
      },
      () => {
        if (this.#probeRun === run) this.#dispatch({ type: "probeFailed", at: this.#clock.now() });
      },
    );
  }

  #endProbe(): void {
    const run = this.#probeRun;
    if (run === undefined) return;
    this.#probeRun = undefined;
    run.abort.abort(new ConnectionError("CONNECT_FAILED", "The connection attempt was stopped."));
    run.finish();
  }
}
