import { ImmutableString } from "@automerge/automerge";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import { z } from "zod";
import {
  type OfflineProfile,
  OPERATOR_ROLES,
  type Operator,
  PERMISSIONS,
  type Register,
  type Store,
  type TaxGroup,
  TENDER_KINDS,
  type TenderType,
} from "../../domain/master-data.ts";
import { fromStored, type Stored, toStored } from "./automerge-values.ts";
import { openNamedDocument } from "./document-ids.ts";
import { MAX_ID_LENGTH, MAX_NAME_LENGTH } from "./pos-event-schema.ts";
import { type QuarantineReport, quarantine } from "./quarantine.ts";

const id = z.string().min(1).max(MAX_ID_LENGTH);
const name = z.string().max(MAX_NAME_LENGTH);
const base64 = z.string().max(512);

export const storeSchema = z.strictObject({
  id,
  name,
  currency: z.string().regex(/^[A-Z]{3}$/),
  pricesIncludeTax: z.boolean(),
});
export const taxGroupSchema = z.strictObject({
  id,
  name,
  rateBp: z.int().min(0).max(100_000),
});
export const tenderTypeSchema = z.strictObject({ id, name, kind: z.enum(TENDER_KINDS) });
export const offlineProfileSchema = z.strictObject({
  id,
  name,
  switchTimeoutMs: z.int().positive().max(600_000),
  reconnectIntervalMs: z.int().positive().max(86_400_000),
});
export const registerSchema = z.strictObject({
  id,
  storeId: id,
  name,
  offlineSupport: z.boolean(),
  offlineProfileId: id.exactOptional(),
});
export const operatorSchema = z.strictObject({
  id,
  name,
  role: z.enum(OPERATOR_ROLES),
  permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length),
  maxDiscountBp: z.int().min(0).max(10_000),
  pinHash: z.strictObject({
    algorithm: z.literal("PBKDF2-SHA256"),
    iterations: z.int().positive(),
    salt: base64,
    hash: base64,
  }),
});

/** A register's offline database as the channel data group knows it. */
export const offlineReplicaSchema = z.strictObject({
  registerId: id,
  /** When offline support was turned on (epoch ms). */
  createdAt: z.int().nonnegative(),
});
export type OfflineReplica = z.infer<typeof offlineReplicaSchema>;

/** The store's channel data group: master data goes to the channel database and to these. */
export const channelDataGroupSchema = z.strictObject({
  id,
  name,
  offlineReplicas: z.array(offlineReplicaSchema).max(1_000),
});
export type ChannelDataGroup = z.infer<typeof channelDataGroupSchema>;

/** Where a data group's current master data log is (a full package starts a new log). */
export const masterDataManifestEntrySchema = z.strictObject({
  logDocumentId: z.string().min(1).max(128),
  /** Seq of the full package the log starts with. */
  sinceSeq: z.int().nonnegative(),
});
export type MasterDataManifestEntry = z.infer<typeof masterDataManifestEntrySchema>;

const LIST_LIMIT = 10_000;

/** Everything headquarters configures for one store. */
export const storeConfigurationSchema = z.strictObject({
  store: storeSchema,
  registers: z.array(registerSchema).max(LIST_LIMIT),
  operators: z.array(operatorSchema).max(LIST_LIMIT),
  tenderTypes: z.array(tenderTypeSchema).max(LIST_LIMIT),
  taxGroups: z.array(taxGroupSchema).max(LIST_LIMIT),
  offlineProfiles: z.array(offlineProfileSchema).max(LIST_LIMIT),
  /** The store's own offline profile; a register's profile id overrides it. */
  defaultOfflineProfileId: id.nullable(),
  channelDataGroup: channelDataGroupSchema,
  /** Current master data log per data group id. */
  masterDataManifest: z.record(id, masterDataManifestEntrySchema),
});
export type StoreConfiguration = z.infer<typeof storeConfigurationSchema>;

// The schemas must produce exactly what the domain defines.
type Assignable<From, To> = [From] extends [To] ? true : false;
const schemasMatchDomain: [
  Assignable<z.infer<typeof storeSchema>, Store>,
  Assignable<z.infer<typeof registerSchema>, Register>,
  Assignable<Register, z.infer<typeof registerSchema>>,
  Assignable<z.infer<typeof operatorSchema>, Operator>,
  Assignable<z.infer<typeof tenderTypeSchema>, TenderType>,
  Assignable<z.infer<typeof taxGroupSchema>, TaxGroup>,
  Assignable<z.infer<typeof offlineProfileSchema>, OfflineProfile>,
] = [true, true, true, true, true, true, true];
void schemasMatchDomain;

/** The store configuration as stored. */
export type StoreConfigurationDoc = { kind: ImmutableString; configured: boolean } & Partial<
  Stored<StoreConfiguration>
>;

/** Raised when headquarters tries to write a configuration that does not validate. */
export class StoreConfigurationError extends Error {
  readonly code = "POS_STORE_CONFIGURATION";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreConfigurationError";
  }
}

/** Opens (or creates, empty) the configuration document of a store. */
export function openStoreConfiguration(
  repo: Repo,
  storeId: string,
): Promise<DocHandle<StoreConfigurationDoc>> {
  return openNamedDocument<StoreConfigurationDoc>(
    repo,
    { kind: "store-configuration", parts: [storeId] },
    { kind: new ImmutableString("store-configuration"), configured: false },
  );
}

/**
 * Writes the whole configuration as one change (headquarters only). It is validated first and
 * a consistency rule is enforced: every register with offline support has exactly one offline
 * replica entry in the channel data group, and no other register has one.
 */
export function writeStoreConfiguration(
  handle: DocHandle<StoreConfigurationDoc>,
  configuration: StoreConfiguration,
): void {
  const parsed = storeConfigurationSchema.safeParse(configuration);
  if (!parsed.success) {
    throw new StoreConfigurationError(
      `The store configuration is invalid: ${parsed.error.message}`,
      { cause: parsed.error },
    );
  }
  const problem = replicaMismatch(parsed.data);
  if (problem) throw new StoreConfigurationError(problem);
  const stored = toStored(parsed.data);
  handle.change((d) => {
    d.configured = true;
    Object.assign(d, stored);
  });
}

/**
 * Turns offline support on or off for a register, keeping the channel data group's offline
 * replica entries in step. Pure: write the result with {@link writeStoreConfiguration}.
 */
export function setOfflineSupport(
  configuration: StoreConfiguration,
  registerId: string,
  enabled: boolean,
  at: number,
): StoreConfiguration {
  const registers = configuration.registers.map((r) =>
    r.id === registerId ? { ...r, offlineSupport: enabled } : r,
  );
  const others = configuration.channelDataGroup.offlineReplicas.filter(
    (replica) => replica.registerId !== registerId,
  );
  const existing = configuration.channelDataGroup.offlineReplicas.find(
    (replica) => replica.registerId === registerId,
  );
  const offlineReplicas = enabled ? [...others, existing ?? { registerId, createdAt: at }] : others;
  return {
    ...configuration,
    registers,
    channelDataGroup: { ...configuration.channelDataGroup, offlineReplicas },
  };
}

function replicaMismatch(configuration: StoreConfiguration): string | null {
  const withSupport = new Set(
    configuration.registers.filter((r) => r.offlineSupport).map((r) => r.id),
  );
  const replicas = configuration.channelDataGroup.offlineReplicas.map((r) => r.registerId);
  if (new Set(replicas).size !== replicas.length) {
    return "A register has two offline replica entries; keep one per register.";
  }
  for (const registerId of withSupport) {
    if (!replicas.includes(registerId)) {
      return `Register ${registerId} has offline support but no offline replica entry: turn offline support on again.`;
    }
  }
  for (const registerId of replicas) {
    if (!withSupport.has(registerId)) {
      return `Register ${registerId} has an offline replica entry without offline support.`;
    }
  }
  return null;
}

/** Reads a store configuration from a peer; an invalid or not yet written one is reported. */
export function readStoreConfiguration(
  doc: StoreConfigurationDoc,
  documentId: string,
  expectedStoreId: string,
): {
  readonly configuration: StoreConfiguration | null;
  readonly quarantined: readonly QuarantineReport[];
} {
  const { kind, configured, ...rest } = fromStored(doc) as Record<string, unknown>;
  if (kind !== "store-configuration") {
    return {
      configuration: null,
      quarantined: [quarantine(documentId, "wrong-document-kind", ["kind"], String(kind))],
    };
  }
  if (configured !== true) return { configuration: null, quarantined: [] };
  const parsed = storeConfigurationSchema.safeParse(rest);
  if (!parsed.success) {
    return {
      configuration: null,
      quarantined: [quarantine(documentId, "invalid-document", [], parsed.error.message)],
    };
  }
  if (parsed.data.store.id !== expectedStoreId) {
    return {
      configuration: null,
      quarantined: [
        quarantine(documentId, "foreign-document", ["store", "id"], parsed.data.store.id),
      ],
    };
  }
  return { configuration: parsed.data, quarantined: [] };
}
