import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type PeerId, Repo } from "@automerge/automerge-repo";
import { z } from "zod";
import { type ConnectionClock, systemClock } from "../connection/connection-controller-driver.ts";
import { FileMasterDataIndex } from "../master-data/file-master-data-index.ts";
import type { MasterDataIndex } from "../master-data/master-data-index.ts";
import { MemoryMasterDataIndex } from "../master-data/memory-master-data-index.ts";
import { PartitionableNetworkAdapter } from "../network/partitionable-network-adapter.ts";
import { ServerLinkAdapter } from "../network/server-link-adapter.ts";
import { AtomicNodeFSStorageAdapter } from "../storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../storage/shutdown-repo.ts";
import {
  RegisterSession,
  type ServerGateway,
  type SignInLockoutStore,
} from "./register-session.ts";

/** What a register keeps after activation: who it is and its device token. */
export const deviceIdentitySchema = z.strictObject({
  registerId: z.string().min(1).max(64),
  storeId: z.string().min(1).max(64),
  token: z.string().min(16).max(512),
  offlineSupport: z.boolean(),
});
export type DeviceIdentity = z.infer<typeof deviceIdentitySchema>;

/** Raised when activation with the retail server fails; the message says what to do. */
export class RegisterActivationError extends Error {
  readonly code = "POS_REGISTER_ACTIVATION";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RegisterActivationError";
  }
}

const activationResponseSchema = z.object({
  registerId: z.string(),
  storeId: z.string(),
  token: z.string(),
  offlineSupport: z.boolean().optional(),
});

/**
 * Activates a register once with the one-time code from the back office and stores the device
 * token in its data directory (written then renamed, so a crash never leaves half a file).
 */
export async function activateNodeRegister(input: {
  readonly serverUrl: string;
  readonly dataDir: string;
  readonly registerId: string;
  readonly code: string;
}): Promise<DeviceIdentity> {
  let response: Response;
  try {
    response = await fetch(new URL("/api/devices/activate", input.serverUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ registerId: input.registerId, code: input.code }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw new RegisterActivationError(
      `The retail server at ${input.serverUrl} could not be reached to activate ${input.registerId}.`,
      { cause },
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new RegisterActivationError(
      `Activation of ${input.registerId} was refused (${response.status})${message ? `: ${message}` : ""}.`,
    );
  }
  const parsed = activationResponseSchema.parse(body);
  const identity: DeviceIdentity = {
    registerId: parsed.registerId,
    storeId: parsed.storeId,
    token: parsed.token,
    offlineSupport: parsed.offlineSupport ?? true,
  };
  await mkdir(input.dataDir, { recursive: true });
  const file = join(input.dataDir, "device.json");
  await writeFile(`${file}.tmp`, JSON.stringify(identity));
  await rename(`${file}.tmp`, file);
  return identity;
}

/** Reads the identity stored by {@link activateNodeRegister}, or null before activation. */
export async function readDeviceIdentity(dataDir: string): Promise<DeviceIdentity | null> {
  const text = await readFile(join(dataDir, "device.json"), "utf8").catch(() => null);
  return text === null ? null : deviceIdentitySchema.parse(JSON.parse(text));
}

/** The register's HTTP gateway to the retail server. */
export function httpServerGateway(serverUrl: string): ServerGateway {
  return {
    async health(signal) {
      const response = await fetch(new URL("/api/health", serverUrl), { signal });
      if (!response.ok) throw new Error(`health check answered ${response.status}`);
    },
  };
}

/** A headless register running in Node: session plus the parts it owns. */
export type NodeRegister = {
  readonly session: RegisterSession;
  readonly repo: Repo;
  readonly link: PartitionableNetworkAdapter;
  readonly index: MasterDataIndex;
  close(): Promise<void>;
};

/**
 * Starts an activated register headless in Node, with its offline database in `dataDir`
 * (automerge documents with atomic writes, and the file master data index). A register without
 * offline support keeps nothing persistent: its documents and master data live in memory only.
 */
export async function startNodeRegister(input: {
  readonly serverUrl: string;
  readonly dataDir: string;
  readonly identity: DeviceIdentity;
  readonly clock?: ConnectionClock;
  /**
   * How the controller's probe reaches the server: the HTTP gateway unless the caller must be
   * able to cut the probe along with sync (the partition simulator).
   */
  readonly server?: ServerGateway;
  /** Download master data only after the first sign-in, as the register app does. */
  readonly provisionAfterFirstSignIn?: boolean;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}): Promise<NodeRegister> {
  const { identity } = input;
  const wsUrl = new URL(`/sync?token=${encodeURIComponent(identity.token)}`, input.serverUrl);
  wsUrl.protocol = wsUrl.protocol === "https:" ? "wss:" : "ws:";
  const socket = new ServerLinkAdapter(wsUrl.toString(), {
    retryIntervalMs: 1_000,
    onConnectionError: (error) =>
      input.log?.("retail server connection failed", { error: error.message }),
  });
  const link = new PartitionableNetworkAdapter(socket, { transport: "restart" });
  const persistent = identity.offlineSupport;
  const repo = new Repo({
    peerId: `register/${identity.registerId}/${randomUUID()}` as PeerId,
    network: [link],
    ...(persistent
      ? { storage: new AtomicNodeFSStorageAdapter(join(input.dataDir, "documents")) }
      : {}),
    sharePolicy: async () => true,
  });
  const index: MasterDataIndex = persistent
    ? await FileMasterDataIndex.open(join(input.dataDir, "master-data"))
    : new MemoryMasterDataIndex();
  const session = await RegisterSession.open({
    storeId: identity.storeId,
    registerId: identity.registerId,
    repo,
    link,
    index,
    server: input.server ?? httpServerGateway(input.serverUrl),
    clock: input.clock ?? systemClock,
    newId: randomUUID,
    ...(persistent
      ? { lockoutStore: jsonFileLockoutStore(join(input.dataDir, "lockouts.json")) }
      : {}),
    ...(input.log ? { log: input.log } : {}),
    ...(input.provisionAfterFirstSignIn ? { provisionAfterFirstSignIn: true } : {}),
  });
  return {
    session,
    repo,
    link,
    index,
    async close() {
      await session.close();
      await shutdownRepo(repo);
      await index.close();
    },
  };
}

/**
 * Sign-in lockouts in a JSON file of the register's data directory, written then renamed so a
 * crash never leaves half a file.
 */
export function jsonFileLockoutStore(file: string): SignInLockoutStore {
  return {
    async load() {
      const text = await readFile(file, "utf8").catch((error: unknown) => {
        if (error instanceof Error && "code" in error && error.code === "ENOENT") return null;
        throw error;
      });
      return text === null ? undefined : (JSON.parse(text) as unknown);
    },
    async save(lockouts) {
      await writeFile(`${file}.tmp`, JSON.stringify(lockouts));
      await rename(`${file}.tmp`, file);
    },
  };
}
