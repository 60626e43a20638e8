import {
  openPostingRecord,
  readPostingRecord,
} from "../../replication/documents/posting-record.ts";
import type { RandomSource } from "../../replication/network/partitionable-network-adapter.ts";
import {
  type DeviceIdentity,
  httpServerGateway,
  type NodeRegister,
  startNodeRegister,
} from "../../replication/register/node-register.ts";
import type { ServerGateway } from "../../replication/register/register-session.ts";

/** The simulated network between one register and the retail server. */
export type LinkConditions = {
  partitioned: boolean;
  delayMs: number;
  dropProbability: number;
  /** Messages were dropped at random since the last fresh handshake. */
  lossy: boolean;
};

/** Where a register's sales log stands against the server's posting record. */
export type PostingState = {
  readonly lastSeq: number;
  readonly acceptedThroughSeq: number;
};

/** A partitioned link: the register's reconnect probe fails as its sync does. */
export class SimulatedPartitionError extends Error {
  override readonly name = "SimulatedPartitionError";
  readonly code = "POS_SIM_PARTITIONED";
}

/**
 * One register of the simulation, running inside the simulator's process: a headless Node
 * register with its own data directory (real automerge-repo storage and file master data index).
 * Killing it closes its repo and index as a process exit would; restarting it opens them again
 * from storage. The network conditions belong to the network, not the process, so they survive a
 * restart. Commands and kills are serialised, so a kill lands between two sales.
 */
export class SimulatedRegister {
  readonly registerId: string;
  readonly dataDir: string;
  readonly identity: DeviceIdentity;
  readonly conditions: LinkConditions = {
    partitioned: false,
    delayMs: 0,
    dropProbability: 0,
    lossy: false,
  };
  restarts = 0;
  #node: NodeRegister | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #serverUrl: string;
  readonly #dropRandom: RandomSource;

  constructor(input: {
    readonly dataDir: string;
    readonly identity: DeviceIdentity;
    readonly serverUrl: string;
    readonly dropRandom: RandomSource;
  }) {
    this.registerId = input.identity.registerId;
    this.dataDir = input.dataDir;
    this.identity = input.identity;
    this.#serverUrl = input.serverUrl;
    this.#dropRandom = input.dropRandom;
  }

  /** The running register, or null while it is killed. */
  get node(): NodeRegister | null {
    return this.#node;
  }

  /** Runs `task` after every earlier task of this register has finished. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Starts the register from its data directory and signs the cashier in. */
  async start(signIn: { readonly operatorId: string; readonly pin: string }): Promise<void> {
    if (this.#node) return;
    const http = httpServerGateway(this.#serverUrl);
    const server: ServerGateway = {
      health: async (signal) => {
        if (this.conditions.partitioned) {
          throw new SimulatedPartitionError(`${this.registerId} is cut off from the server`);
        }
        await http.health(signal);
      },
    };
    const node = await startNodeRegister({
      serverUrl: this.#serverUrl,
      dataDir: this.dataDir,
      identity: this.identity,
      server,
    });
    this.#node = node;
    this.#applyConditions();
    await waitFor(
      `${this.registerId} to load its store configuration and master data`,
      () => node.session.view().provisioning.ready,
      60_000,
    );
    const result = await node.session.signIn(signIn.operatorId, signIn.pin);
    if (!result.ok) throw new Error(`${this.registerId} sign-in refused: ${result.message}`);
  }

  /** Closes the register (repo and index) as a process exit would; idempotent. */
  async kill(): Promise<void> {
    const node = this.#node;
    if (!node) return;
    this.#node = null;
    await node.close();
  }

  async restart(signIn: { readonly operatorId: string; readonly pin: string }): Promise<void> {
    if (this.#node) return;
    this.restarts++;
    await this.start(signIn);
  }

  /** Cuts the link and the reconnect probe; the register notices at its next confirmation. */
  cut(): void {
    this.conditions.partitioned = true;
    this.#node?.link.cut();
  }

  /**
   * Ends the partition. An online register gets its link back at once; an offline one returns
   * as the product does: at a transaction start after the reconnect interval, or by Connect.
   */
  heal(): void {
    this.conditions.partitioned = false;
    const node = this.#node;
    if (node && node.session.mode === "online") node.link.heal();
  }

  delay(ms: number): void {
    this.conditions.delayMs = ms;
    this.#node?.link.delay(ms);
  }

  drop(probability: number): void {
    this.conditions.dropProbability = probability;
    if (probability > 0) this.conditions.lossy = true;
    this.#node?.link.drop(probability, this.#dropRandom);
  }

  /** The register's last seq and the server's acceptedThroughSeq, as the register holds them. */
  async posting(): Promise<PostingState | null> {
    const node = this.#node;
    if (!node) return null;
    const session = node.session;
    const handle = await openPostingRecord(node.repo, session.salesLogKey);
    const { record } = readPostingRecord(handle.doc(), handle.documentId, session.salesLogKey);
    return {
      lastSeq: session.events[session.events.length - 1]?.seq ?? 0,
      acceptedThroughSeq: record?.acceptedThroughSeq ?? 0,
    };
  }

  #applyConditions(): void {
    const node = this.#node;
    if (!node) return;
    if (this.conditions.partitioned) node.link.cut();
    node.link.delay(this.conditions.delayMs);
    node.link.drop(this.conditions.dropProbability, this.#dropRandom);
  }
}

/** Polls `probe` every 25 ms until it is truthy; throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((done) => setTimeout(done, 25));
  }
}
