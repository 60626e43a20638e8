import { z } from "zod";
import { MASTER_DATA_ERROR_CODES, MasterDataError } from "./master-data-error.ts";
import {
  type DeleteRow,
  MASTER_DATA_ENTITIES,
  MASTER_DATA_VALUE_SCHEMAS,
  type MasterDataEntity,
  type MasterDataRow,
  type MasterDataValue,
  parseMasterDataRow,
  rowKey,
  type UpsertRow,
} from "./master-data-row.ts";

/**
 * Headquarters' staging area: the current master data and the changes made since the last
 * distribution run. Edits are validated on entry, so packages built from here are trusted.
 * State lives in memory; every mutation hands a JSON snapshot to the injected `persist` function
 * (the server decides where it goes).
 */

/** JSON form of the staging area, as handed to `persist` and accepted by `restore`. */
export type StagingSnapshot = {
  readonly version: 1;
  /** Every current record, as upsert rows. */
  readonly records: readonly UpsertRow[];
  /** Changes not yet distributed, one per record, latest edit wins. */
  readonly pending: readonly MasterDataRow[];
};

/** Changes taken by a distribution run; hand back to {@link StagingArea.markDistributed}. */
export type PendingChanges = {
  readonly rows: readonly MasterDataRow[];
  readonly versions: ReadonlyMap<string, number>;
};

export type StagingPersistence = (snapshot: StagingSnapshot) => void | Promise<void>;

const snapshotSchema = z.object({
  version: z.literal(1),
  records: z.array(z.unknown()),
  pending: z.array(z.unknown()),
});

function invalid(problem: string, cause?: unknown): MasterDataError {
  return new MasterDataError(
    MASTER_DATA_ERROR_CODES.invalidRow,
    `${problem}. Correct the record and save it again.`,
    cause === undefined ? {} : { cause },
  );
}

export class StagingArea {
  readonly #records = new Map<string, UpsertRow>();
  readonly #pending = new Map<string, { row: MasterDataRow; version: number }>();
  readonly #persist: StagingPersistence | undefined;
  #version = 0;

  constructor(options: { readonly persist?: StagingPersistence } = {}) {
    this.#persist = options.persist;
  }

  /**
   * Rebuilds a staging area from a snapshot read back from storage (validated: it is a file).
   *
   * @throws {MasterDataError} `POS_MD_003` when the snapshot or one of its rows is invalid.
   */
  static restore(
    snapshot: unknown,
    options: { readonly persist?: StagingPersistence } = {},
  ): StagingArea {
    const parsed = snapshotSchema.safeParse(snapshot);
    if (!parsed.success) throw invalid(`Staging snapshot: ${z.prettifyError(parsed.error)}`);
    const area = new StagingArea(options);
    const rowsOf = (list: readonly unknown[], what: string): MasterDataRow[] =>
      list.map((input, i) => {
        const row = parseMasterDataRow(input);
        if (!row.ok) throw invalid(`Staging snapshot, ${what} ${i}: ${row.problem}`);
        return row.row;
      });
    for (const row of rowsOf(parsed.data.records, "record")) {
      if (row.op === "upsert") area.#records.set(rowKey(row), row);
    }
    for (const row of rowsOf(parsed.data.pending, "pending change")) {
      area.#pending.set(rowKey(row), { row, version: ++area.#version });
    }
    return area;
  }

  /** Inserts or replaces a record; an identical record is not a change. */
  async upsert<E extends MasterDataEntity>(entity: E, value: MasterDataValue[E]): Promise<void> {
    this.#stage(this.#validUpsert(entity, value));
    await this.#save();
  }

  /** Deletes a record; deleting a record that does not exist is not a change. */
  async delete(entity: MasterDataEntity, id: string): Promise<void> {
    this.#stage({ entity, op: "delete", id });
    await this.#save();
  }

  /** Stages many edits (e.g. a catalog import) and persists once. Validates all before staging any. */
  async stageRows(rows: readonly MasterDataRow[]): Promise<void> {
    const valid = rows.map((row) =>
      row.op === "upsert" ? this.#validUpsert(row.entity, row.value) : row,
    );
    for (const row of valid) this.#stage(row);
    await this.#save();
  }

  get<E extends MasterDataEntity>(entity: E, id: string): MasterDataValue[E] | undefined {
    const row = this.#records.get(rowKey({ entity, op: "delete", id }));
    return row?.value as MasterDataValue[E] | undefined;
  }

  list<E extends MasterDataEntity>(entity: E): MasterDataValue[E][] {
    const out: MasterDataValue[E][] = [];
    for (const row of this.#records.values()) {
      if (row.entity === entity) out.push(row.value as MasterDataValue[E]);
    }
    return out;
  }

  /** Every current record as upsert rows: the content of a `full` package. */
  currentRows(): UpsertRow[] {
    return [...this.#records.values()];
  }

  /** The changes since the last distribution run, with the versions needed to mark them done. */
  pendingChanges(): PendingChanges {
    const rows: MasterDataRow[] = [];
    const versions = new Map<string, number>();
    for (const [key, entry] of this.#pending) {
      rows.push(entry.row);
      versions.set(key, entry.version);
    }
    return { rows, versions };
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Marks changes as distributed. A record edited again after `taken` was read stays pending, so
   * an edit made during a distribution run goes out with the next one.
   */
  async markDistributed(taken: PendingChanges): Promise<void> {
    for (const [key, version] of taken.versions) {
      if (this.#pending.get(key)?.version === version) this.#pending.delete(key);
    }
    await this.#save();
  }

  /** The JSON form handed to `persist`. */
  snapshot(): StagingSnapshot {
    return {
      version: 1,
      records: [...this.#records.values()],
      pending: [...this.#pending.values()].map((entry) => entry.row),
    };
  }

  #validUpsert<E extends MasterDataEntity>(entity: E, value: unknown): UpsertRow {
    if (!MASTER_DATA_ENTITIES.includes(entity)) throw invalid(`Unknown entity ${entity}`);
    const schema: z.ZodType<MasterDataValue[MasterDataEntity]> = MASTER_DATA_VALUE_SCHEMAS[entity];
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw invalid(`${entity}: ${z.prettifyError(parsed.error)}`);
    return { entity, op: "upsert", value: parsed.data } as UpsertRow;
  }

  #stage(row: MasterDataRow): void {
    const key = rowKey(row);
    const existing = this.#records.get(key);
    if (row.op === "upsert") {
      if (existing !== undefined && JSON.stringify(existing.value) === JSON.stringify(row.value)) {
        return;
      }
      this.#records.set(key, row);
    } else {
      if (existing === undefined && !this.#pending.has(key)) return;
      this.#records.delete(key);
      row = { entity: row.entity, op: "delete", id: row.id } satisfies DeleteRow;
    }
    this.#pending.set(key, { row, version: ++this.#version });
  }

  async #save(): Promise<void> {
    if (this.#persist !== undefined) await this.#persist(this.snapshot());
  }
}
