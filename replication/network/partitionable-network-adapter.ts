import {
  type Message,
  NetworkAdapter,
  type NetworkAdapterInterface,
  type PeerCandidatePayload,
  type PeerDisconnectedPayload,
  type PeerId,
  type PeerMetadata,
} from "@automerge/automerge-repo";

/** A source of uniformly distributed numbers in [0, 1), injected so drops are reproducible. */
export type RandomSource = () => number;

/** Timer functions, injected so tests may drive delivery with fake timers. */
export type NetworkScheduler = {
  readonly setTimeout: (callback: () => void, ms: number) => unknown;
  readonly clearTimeout: (handle: unknown) => void;
};

/** What the adapter is currently doing to traffic; shown by the developer panel. */
export type NetworkConditions = {
  readonly cut: boolean;
  readonly delayMs: number;
  readonly dropProbability: number;
  /** Messages dropped so far, because of a cut or a random drop, in either direction. */
  readonly dropped: number;
  /** Messages passed so far, in either direction. */
  readonly delivered: number;
};

type Pending = { readonly deliverAt: number; readonly deliver: () => void };

const defaultScheduler: NetworkScheduler = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * One direction of traffic: a FIFO whose items are delivered no earlier than their due time and
 * never out of order, whatever the delay was when each was queued.
 */
class DeliveryQueue {
  readonly #scheduler: NetworkScheduler;
  readonly #now: () => number;
  #items: Pending[] = [];
  #timer: unknown;

  constructor(scheduler: NetworkScheduler, now: () => number) {
    this.#scheduler = scheduler;
    this.#now = now;
  }

  push(delayMs: number, deliver: () => void): void {
    if (delayMs <= 0 && this.#items.length === 0) {
      deliver();
      return;
    }
    const last = this.#items[this.#items.length - 1];
    const deliverAt = Math.max(this.#now() + delayMs, last?.deliverAt ?? 0);
    this.#items.push({ deliverAt, deliver });
    this.#arm();
  }

  clear(): void {
    this.#items = [];
    if (this.#timer !== undefined) this.#scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    const head = this.#items[0];
    if (!head) return;
    this.#timer = this.#scheduler.setTimeout(
      () => {
        this.#timer = undefined;
        this.#drain();
      },
      Math.max(0, head.deliverAt - this.#now()),
    );
  }

  #drain(): void {
    const now = this.#now();
    while (this.#items.length > 0 && (this.#items[0]?.deliverAt ?? 0) <= now) {
      const item = this.#items.shift();
      item?.deliver();
    }
    this.#arm();
  }
}

/**
 * `WebSocketClientAdapter.disconnect()` removes its socket's error listener before closing it; a
 * socket still connecting then reports "closed before the connection was established" with no
 * listener, which crashes Node. A listener that ignores it keeps a cut during a reconnect safe.
 */
function silenceSocketErrors(adapter: NetworkAdapterInterface): void {
  const socket: unknown = (adapter as { socket?: unknown }).socket;
  if (
    typeof socket === "object" &&
    socket !== null &&
    "addEventListener" in socket &&
    typeof socket.addEventListener === "function"
  ) {
    socket.addEventListener("error", () => {});
  }
}

/** Options of {@link PartitionableNetworkAdapter}. */
export type PartitionableNetworkAdapterOptions = {
  readonly scheduler?: NetworkScheduler;
  readonly now?: () => number;
  /** Called when the wrapped adapter throws while sending (e.g. its socket closed meanwhile). */
  readonly onSendError?: (error: unknown, message: Message) => void;
  /**
   * What a cut does to the wrapped transport.
   * - `"keep"` (default): the transport stays up and traffic is only filtered here. The far end
   *   learns nothing, so its sync state may keep counting lost messages as delivered and stall:
   *   use it only when the far end is wrapped and cut too (both sides of a simulated partition).
   * - `"restart"`: the cut disconnects the wrapped adapter and the heal connects it again, so the
   *   far end sees the connection drop exactly as in a real outage and both ends restart sync.
   *   For client adapters that may be connected again (`WebSocketClientAdapter`); never for a
   *   server adapter, whose disconnect drops every client.
   */
  readonly transport?: "keep" | "restart";
};

/**
 * Wraps any automerge-repo network adapter and lets a test, the partition simulator or the
 * register's developer panel degrade the link without touching the real transport:
 *
 * - {@link cut}: nothing passes either way; the local repo sees every remote peer disconnect, so
 *   its sync state for them is dropped exactly as after a real outage; messages sent meanwhile are
 *   lost, including those already in flight.
 * - {@link heal}: every peer the wrapped adapter still knows is announced again (or, with
 *   `transport: "restart"`, the transport reconnects), so sync resumes from a fresh handshake.
 * - {@link delay}: every message (and peer announcement) is delivered late, in order.
 * - {@link drop}: each message is lost with a probability, decided by an injected random source.
 *
 * Peers that connect or leave during a cut are tracked and reported at heal time.
 *
 * @example
 * const link = new PartitionableNetworkAdapter(new WebSocketClientAdapter(url), {
 *   transport: "restart",
 * });
 * const repo = new Repo({ network: [link], storage });
 * link.cut(); // sell offline
 * link.heal(); // offline sales upload
 */
export class PartitionableNetworkAdapter extends NetworkAdapter {
  readonly #inner: NetworkAdapterInterface;
  readonly #inbound: DeliveryQueue;
  readonly #outbound: DeliveryQueue;
  readonly #onSendError: (error: unknown, message: Message) => void;
  readonly #restartTransport: boolean;
  /** Peers the wrapped adapter reports as connected, whatever we told the repo. */
  readonly #connected = new Map<PeerId, PeerMetadata>();
  /** Peers the local repo currently believes connected. */
  readonly #announced = new Set<PeerId>();
  #cut = false;
  #delayMs = 0;
  #dropProbability = 0;
  #random: RandomSource = Math.random;
  #dropped = 0;
  #delivered = 0;
  #listening = false;

  constructor(inner: NetworkAdapterInterface, options: PartitionableNetworkAdapterOptions = {}) {
    super();
    this.#inner = inner;
    const scheduler = options.scheduler ?? defaultScheduler;
    const now = options.now ?? (() => Date.now());
    this.#inbound = new DeliveryQueue(scheduler, now);
    this.#outbound = new DeliveryQueue(scheduler, now);
    this.#onSendError = options.onSendError ?? (() => {});
    this.#restartTransport = options.transport === "restart";
  }

  /** The adapter this one forwards to. */
  get inner(): NetworkAdapterInterface {
    return this.#inner;
  }

  /** The current conditions and counters. */
  get conditions(): NetworkConditions {
    return {
      cut: this.#cut,
      delayMs: this.#delayMs,
      dropProbability: this.#dropProbability,
      dropped: this.#dropped,
      delivered: this.#delivered,
    };
  }

  /** Peers the local repo currently sees through this adapter. */
  get visiblePeers(): readonly PeerId[] {
    return [...this.#announced];
  }

  isReady(): boolean {
    return this.#inner.isReady();
  }

  whenReady(): Promise<void> {
    return this.#inner.whenReady();
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    if (peerMetadata !== undefined) this.peerMetadata = peerMetadata;
    if (!this.#listening) {
      this.#listening = true;
      this.#inner.on("peer-candidate", this.#onPeerCandidate);
      this.#inner.on("peer-disconnected", this.#onPeerDisconnected);
      this.#inner.on("message", this.#onMessage);
      this.#inner.on("close", this.#onClose);
    }
    this.#inner.connect(peerId, peerMetadata);
  }

  send(message: Message): void {
    if (this.#shouldDrop()) return;
    this.#outbound.push(this.#delayMs, () => {
      if (this.#cut) {
        this.#dropped++;
        return;
      }
      this.#delivered++;
      try {
        this.#inner.send(message);
      } catch (error) {
        this.#onSendError(error, message);
      }
    });
  }

  disconnect(): void {
    this.#inbound.clear();
    this.#outbound.clear();
    // A cut in restart mode already disconnected the transport; a second disconnect would fail.
    if (this.#cut && this.#restartTransport) return;
    silenceSocketErrors(this.#inner);
    this.#inner.disconnect();
  }

  /** Starts an outage: no message passes either way until {@link heal}. Idempotent. */
  cut(): void {
    if (this.#cut) return;
    this.#cut = true;
    this.#inbound.clear();
    this.#outbound.clear();
    for (const peerId of [...this.#announced]) {
      this.#announced.delete(peerId);
      this.emit("peer-disconnected", { peerId });
    }
    if (this.#restartTransport && this.peerId !== undefined) {
      silenceSocketErrors(this.#inner);
      this.#inner.disconnect();
    }
  }

  /** Ends an outage: peers still connected underneath are announced again. Idempotent. */
  heal(): void {
    if (!this.#cut) return;
    this.#cut = false;
    if (this.#restartTransport && this.peerId !== undefined) {
      this.#inner.connect(this.peerId, this.peerMetadata);
      return;
    }
    for (const [peerId, peerMetadata] of this.#connected) this.#announce(peerId, peerMetadata);
  }

  /** Delivers every later message and peer announcement `ms` late, keeping their order. */
  delay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay must be >= 0 ms, got ${ms}`);
    this.#delayMs = ms;
  }

  /**
   * Loses each later message with `probability` (0 to 1), deciding with `random`, so a seeded
   * source reproduces the same losses. `drop(0)` restores a lossless link.
   */
  drop(probability: number, random: RandomSource = Math.random): void {
    if (!(probability >= 0 && probability <= 1)) {
      throw new RangeError(`drop probability must be within 0..1, got ${probability}`);
    }
    this.#dropProbability = probability;
    this.#random = random;
  }

  #shouldDrop(): boolean {
    if (this.#cut || (this.#dropProbability > 0 && this.#random() < this.#dropProbability)) {
      this.#dropped++;
      return true;
    }
    return false;
  }

  #announce(peerId: PeerId, peerMetadata: PeerMetadata): void {
    if (this.#cut || this.#announced.has(peerId) || !this.#connected.has(peerId)) return;
    this.#announced.add(peerId);
    this.emit("peer-candidate", { peerId, peerMetadata });
  }

  #onPeerCandidate = ({ peerId, peerMetadata }: PeerCandidatePayload): void => {
    this.#connected.set(peerId, peerMetadata);
    if (this.#cut) return;
    this.#inbound.push(this.#delayMs, () => {
      if (this.#cut || !this.#connected.has(peerId)) return;
      // A peer announced again comes over a new connection: the transport replaced its socket
      // by itself (WebSocketClientAdapter's reconnect timer may fire after a heal already
      // reconnected). What was sent meanwhile was lost and the far end restarted sync at the
      // join, so the repo must see the peer leave and come back to restart its sync state too.
      if (this.#announced.has(peerId)) this.emit("peer-disconnected", { peerId });
      this.#announced.add(peerId);
      this.emit("peer-candidate", { peerId, peerMetadata });
    });
  };

  #onPeerDisconnected = ({ peerId }: PeerDisconnectedPayload): void => {
    this.#connected.delete(peerId);
    if (this.#cut) return;
    this.#inbound.push(this.#delayMs, () => {
      if (!this.#announced.delete(peerId)) return;
      this.emit("peer-disconnected", { peerId });
    });
  };

  #onMessage = (message: Message): void => {
    if (this.#shouldDrop()) return;
    this.#inbound.push(this.#delayMs, () => {
      if (this.#cut || !this.#announced.has(message.senderId)) {
        this.#dropped++;
        return;
      }
      this.#delivered++;
      this.emit("message", message);
    });
  };

  #onClose = (): void => {
    this.emit("close");
  };
}
