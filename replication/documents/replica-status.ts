import { ImmutableString } from "@automerge/automerge";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import { z } from "zod";
import {
  CONNECTION_MODES,
  type ConnectionMode,
  MODE_CHANGE_REASONS,
  type ModeChangeReason,
} from "../../domain/events.ts";
import { fromStored, type Stored, toStored } from "./automerge-values.ts";
import { openNamedDocument } from "./document-ids.ts";
import { MAX_ID_LENGTH } from "./pos-event-schema.ts";
import { type QuarantineReport, quarantine } from "./quarantine.ts";

/** How many mode changes the status keeps (the full audit trail is in the sales log). */
export const MAX_MODE_CHANGES = 50;

/** One switch of the connection mode. */
export type ModeChange = {
  readonly at: number;
  readonly from: ConnectionMode;
  readonly to: ConnectionMode;
  readonly reason: ModeChangeReason;
};

/**
 * What a register reports about its replica, written by that register only: what managers
 * compare across registers and with the server (mode, what master data it applied, which
 * version of each document it holds).
 */
export type ReplicaStatus = {
  readonly storeId: string;
  readonly registerId: string;
  readonly mode: ConnectionMode;
  readonly modeChanges: readonly ModeChange[];
  /** Last master data package applied to its index, per data group; null: none yet. */
  readonly appliedPackageSeq: number | null;
  /** Heads of each document it holds, by document id. */
  readonly heads: Readonly<Record<string, readonly string[]>>;
  /** When the register last wrote this status (epoch ms). */
  readonly lastSeenAt: number;
};

const id = z.string().min(1).max(MAX_ID_LENGTH);
const modeChangeSchema = z.strictObject({
  at: z.int().nonnegative(),
  from: z.enum(CONNECTION_MODES),
  to: z.enum(CONNECTION_MODES),
  reason: z.enum(MODE_CHANGE_REASONS),
});
const replicaStatusSchema = z.strictObject({
  storeId: id,
  registerId: id,
  mode: z.enum(CONNECTION_MODES),
  modeChanges: z.array(modeChangeSchema).max(MAX_MODE_CHANGES),
  appliedPackageSeq: z.int().nonnegative().nullable(),
  heads: z.record(id, z.array(z.string().max(128)).max(64)),
  lastSeenAt: z.int().nonnegative(),
});

/** The replica status as stored. */
export type ReplicaStatusDoc = { kind: ImmutableString } & Stored<ReplicaStatus>;

/** Opens (or creates) the replica status of a register. */
export function openReplicaStatus(
  repo: Repo,
  storeId: string,
  registerId: string,
): Promise<DocHandle<ReplicaStatusDoc>> {
  const initial: ReplicaStatus = {
    storeId,
    registerId,
    mode: "online",
    modeChanges: [],
    appliedPackageSeq: null,
    heads: {},
    lastSeenAt: 0,
  };
  return openNamedDocument<ReplicaStatusDoc>(
    repo,
    { kind: "replica-status", parts: [storeId, registerId] },
    { kind: new ImmutableString("replica-status"), ...toStored(initial) },
  );
}

/** The parts of the status a register updates; each call is one change. */
export type ReplicaStatusUpdate = {
  readonly at: number;
  readonly modeChange?: Omit<ModeChange, "at">;
  readonly appliedPackageSeq?: number;
  readonly heads?: Readonly<Record<string, readonly string[]>>;
};

/** Applies an update as one change, keeping the last {@link MAX_MODE_CHANGES} mode changes. */
export function updateReplicaStatus(
  handle: DocHandle<ReplicaStatusDoc>,
  update: ReplicaStatusUpdate,
): void {
  handle.change((d) => {
    d.lastSeenAt = update.at;
    if (update.modeChange) {
      const change: ModeChange = { at: update.at, ...update.modeChange };
      d.mode = new ImmutableString(change.to);
      d.modeChanges.push(toStored(change));
      if (d.modeChanges.length > MAX_MODE_CHANGES) {
        d.modeChanges.splice(0, d.modeChanges.length - MAX_MODE_CHANGES);
      }
    }
    if (update.appliedPackageSeq !== undefined) d.appliedPackageSeq = update.appliedPackageSeq;
    if (update.heads) {
      for (const [documentId, heads] of Object.entries(update.heads)) {
        d.heads[documentId] = toStored([...heads]);
      }
    }
  });
}

/** Reads a replica status from a peer; an invalid one is reported, not returned. */
export function readReplicaStatus(
  doc: ReplicaStatusDoc,
  documentId: string,
): { readonly status: ReplicaStatus | null; readonly quarantined: readonly QuarantineReport[] } {
  const { kind, ...rest } = fromStored(doc) as Record<string, unknown>;
  if (kind !== "replica-status") {
    return {
      status: null,
      quarantined: [quarantine(documentId, "wrong-document-kind", ["kind"], String(kind))],
    };
  }
  const parsed = replicaStatusSchema.safeParse(rest);
  return parsed.success
    ? { status: parsed.data, quarantined: [] }
    : {
        status: null,
        quarantined: [quarantine(documentId, "invalid-document", [], parsed.error.message)],
      };
}
