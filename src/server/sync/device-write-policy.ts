import * as Automerge from "@automerge/automerge";
import { ImmutableString } from "@automerge/automerge";
import type { DocumentId } from "@automerge/automerge-repo";
import { addBusinessDays, businessDayOf } from "../../../domain/business-day.ts";
import { namedDocumentId, namedGenesis } from "../../../replication/documents/document-ids.ts";
import { salesLogDocumentId, salesLogName } from "../../../replication/documents/sales-log.ts";
import type {
  ConnectedDevice,
  PolicyViolation,
  WritePolicy,
} from "./guarded-websocket-server-adapter.ts";

/**
 * Which documents a register may write, as the guarded WebSocket adapter asks it: its own sales
 * logs (one per business day, in a window around today so a register that was offline for weeks
 * can still upload) and its own replica status. Nothing else: master data logs, the store
 * configuration, posting records and other registers' documents are headquarters' or the
 * server's, or another device's.
 *
 * Two allowances keep honest registers connected, because a register that opens a named
 * document it does not own (its posting record, the store configuration) makes the document's
 * deterministic genesis locally and offers it: a change the server already holds writes
 * nothing, and neither does the genesis of the device's own posting records, which is
 * byte-identical to the one the server makes later.
 *
 * `mayWrite` is synchronous (it runs on every message), so ids are computed ahead, at the
 * authenticated upgrade: call {@link DeviceWritePolicy.prepare} before accepting the socket.
 */

export type DeviceWritePolicyOptions = {
  readonly storeId: string;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly maxMessageBytes: number;
  /** Largest size a device may make one of its documents reach (see `WritePolicy`). */
  readonly maxDocumentBytes?: number;
  /** How many bytes a document takes in storage now. */
  readonly documentBytes?: (documentId: DocumentId) => number;
  readonly onViolation: (violation: PolicyViolation) => void;
  /** Whether the server's copy of a document already holds the change with this hash. */
  readonly holds?: (documentId: DocumentId, hash: string) => boolean;
  /** Saves a document before a message about it goes to a device (see `WritePolicy`). */
  readonly beforeSend?: (documentId: DocumentId) => Promise<void>;
  /** Business days before today whose logs a register may still upload. Default 35. */
  readonly daysBack?: number;
  /** Business days after today (clock skew). Default 1. */
  readonly daysAhead?: number;
  /** The store's offset from UTC, in minutes east. Default 0. */
  readonly utcOffsetMinutes?: number;
};

type RegisterGrant = {
  readonly today: string;
  readonly writable: ReadonlySet<string>;
  /** Posting record id -> hash of its deterministic genesis change. */
  readonly genesis: ReadonlyMap<string, string>;
};

/** The write policy of the retail server's sync endpoint. */
export type DeviceWritePolicy = WritePolicy & {
  /** Computes (or refreshes, at a day change) the documents `registerId` may write. */
  readonly prepare: (registerId: string) => Promise<void>;
  /** Whether a change for a document the device may not write writes nothing new. */
  readonly isHarmless: (device: ConnectedDevice, documentId: DocumentId, hash: string) => boolean;
};

/** The peer id prefix a register must join with: `register/<registerId>/`. */
export function registerPeerIdPrefix(registerId: string): string {
  return `register/${registerId}/`;
}

/**
 * Builds the policy.
 *
 * @example
 * const policy = createDeviceWritePolicy({ storeId: "S1", now: Date.now, maxMessageBytes, onViolation });
 * await policy.prepare("R1"); // before handleUpgrade
 * policy.mayWrite({ registerId: "R1", deviceId }, salesLogIdOfToday); // true
 */
export function createDeviceWritePolicy(options: DeviceWritePolicyOptions): DeviceWritePolicy {
  const daysBack = options.daysBack ?? 35;
  const daysAhead = options.daysAhead ?? 1;
  const grants = new Map<string, RegisterGrant>();
  const today = (): string => businessDayOf(options.now(), options.utcOffsetMinutes ?? 0);

  return {
    maxMessageBytes: options.maxMessageBytes,
    onViolation: options.onViolation,
    ...(options.maxDocumentBytes === undefined
      ? {}
      : { maxDocumentBytes: options.maxDocumentBytes }),
    ...(options.documentBytes === undefined ? {} : { documentBytes: options.documentBytes }),
    peerIdPrefix: (device) => registerPeerIdPrefix(device.registerId),
    ...(options.beforeSend === undefined ? {} : { beforeSend: options.beforeSend }),
    mayWrite(device, documentId) {
      return grants.get(device.registerId)?.writable.has(documentId) ?? false;
    },
    isHarmless(device, documentId, hash) {
      return (
        grants.get(device.registerId)?.genesis.get(documentId) === hash ||
        (options.holds?.(documentId, hash) ?? false)
      );
    },
    async prepare(registerId) {
      const day = today();
      if (grants.get(registerId)?.today === day) return;
      const writable = new Set<string>();
      const genesis = new Map<string, string>();
      const { storeId } = options;
      writable.add(await namedDocumentId({ kind: "replica-status", parts: [storeId, registerId] }));
      for (let offset = -daysBack; offset <= daysAhead; offset++) {
        const businessDay = addBusinessDays(day, offset);
        const key = { storeId, registerId, businessDay };
        writable.add(await salesLogDocumentId(key));
        const name = { kind: "posting-record", parts: salesLogName(key).parts } as const;
        const bytes = await namedGenesis(
          name,
          postingRecordGenesis(storeId, registerId, businessDay),
        );
        const [hash] = Automerge.getHeads(Automerge.load(bytes));
        if (hash !== undefined) genesis.set(await namedDocumentId(name), hash);
      }
      grants.set(registerId, { today: day, writable, genesis });
    },
  };
}

/** The initial content `openPostingRecord` gives a posting record (must stay identical). */
export function postingRecordGenesis(
  storeId: string,
  registerId: string,
  businessDay: string,
): Record<string, unknown> {
  return {
    kind: new ImmutableString("posting-record"),
    storeId: new ImmutableString(storeId),
    registerId: new ImmutableString(registerId),
    businessDay: new ImmutableString(businessDay),
    acceptedThroughSeq: null,
    acceptedCount: 0,
    acceptedAt: null,
  };
}
