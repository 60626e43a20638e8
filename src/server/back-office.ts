import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import type { Logger } from "pino";
import type {
  Customer,
  Discount,
  OfflineProfile,
  Operator,
  Product,
} from "../../domain/master-data.ts";
import {
  readStoreConfiguration,
  type StoreConfiguration,
  type StoreConfigurationDoc,
  setOfflineSupport,
  writeStoreConfiguration,
} from "../../replication/documents/store-configuration.ts";
import {
  type Clock,
  runDeltaDistribution,
  runFullDistribution,
} from "../../replication/master-data/distribution-run.ts";
import type { MasterDataLogDoc } from "../../replication/master-data/master-data-log.ts";
import type { StagingArea, StagingSnapshot } from "../../replication/master-data/staging-area.ts";
import type { CatalogReferences } from "./catalog-import.ts";
import {
  StoreNotConfiguredError,
  UnknownMasterDataError,
  UnknownProductError,
  UnknownRegisterError,
} from "./errors.ts";

/**
 * Headquarters' side of the retail server: the store configuration document, the master data
 * staging area and distribution runs. Every write goes through here, one at a time (runs and
 * edits are serialised), so a distribution run never interleaves with an edit of the manifest.
 */

/** What a distribution run reports: the package it made (`seq: null` when nothing changed). */
export type DistributionOutcome = {
  readonly seq: number | null;
  readonly kind: "full" | "delta" | "none";
  readonly rows: number;
};

/** The changes a price edit or product on/off may make. */
export type ProductPatch = {
  readonly name?: string;
  readonly price?: number;
  readonly active?: boolean;
};

export type BackOfficeOptions = {
  readonly repo: Repo;
  readonly storeId: string;
  readonly configuration: DocHandle<StoreConfigurationDoc>;
  readonly staging: StagingArea;
  readonly clock: Clock;
  readonly logger: Logger;
};

export class BackOffice {
  readonly #repo: Repo;
  readonly #storeId: string;
  readonly #configuration: DocHandle<StoreConfigurationDoc>;
  readonly #staging: StagingArea;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #log: DocHandle<MasterDataLogDoc> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: BackOfficeOptions, log: DocHandle<MasterDataLogDoc> | undefined) {
    this.#repo = options.repo;
    this.#storeId = options.storeId;
    this.#configuration = options.configuration;
    this.#staging = options.staging;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#log = log;
  }

  /** Opens the back office over a written store configuration, loading the current log. */
  static async open(options: BackOfficeOptions): Promise<BackOffice> {
    const office = new BackOffice(options, undefined);
    const configuration = office.configuration();
    const entry = configuration.masterDataManifest[configuration.channelDataGroup.id];
    if (entry !== undefined) {
      office.#log = await options.repo.find<MasterDataLogDoc>(entry.logDocumentId as DocumentId);
    }
    return office;
  }

  get storeId(): string {
    return this.#storeId;
  }

  /** The current master data log of the store's channel data group, if any run happened. */
  get masterDataLog(): DocHandle<MasterDataLogDoc> | undefined {
    return this.#log;
  }

  /** The store configuration as written; throws when it is missing or invalid. */
  configuration(): StoreConfiguration {
    const { configuration, quarantined } = readStoreConfiguration(
      this.#configuration.doc(),
      this.#configuration.documentId,
      this.#storeId,
    );
    if (configuration === null) {
      throw new StoreNotConfiguredError(this.#storeId, quarantined[0]?.detail ?? null);
    }
    return configuration;
  }

  /** Current products and tax groups, to check an import against. */
  catalogReferences(): CatalogReferences {
    return {
      taxGroups: this.#staging.list("tax-group"),
      products: this.#staging.list("product"),
    };
  }

  /** Stages a validated catalog import for the next distribution run. */
  stageProducts(products: readonly Product[]): Promise<void> {
    return this.#serial(() =>
      this.#staging.stageRows(
        products.map((value) => ({ entity: "product", op: "upsert", value }) as const),
      ),
    );
  }

  /**
   * Changes a product's name, price or on/off flag in the staging area. Throws
   * {@link UnknownProductError} for a product that is not in the master data.
   */
  updateProduct(productId: string, patch: ProductPatch): Promise<Product> {
    return this.#serial(async () => {
      const current = this.#staging.get("product", productId);
      if (current === undefined) throw new UnknownProductError(productId);
      const next: Product = { ...current, ...patch };
      await this.#staging.upsert("product", next);
      return next;
    });
  }

  /** Adds or replaces a customer or discount in the staging area, for the next run. */
  upsertMasterData(
    change:
      | { readonly entity: "customer"; readonly value: Customer }
      | {
          readonly entity: "discount";
          readonly value: Discount;
        },
  ): Promise<void> {
    return this.#serial(() => this.#staging.upsert(change.entity, change.value));
  }

  /**
   * Removes a customer or discount; the next run distributes the deletion. Throws
   * {@link UnknownMasterDataError} when there is none with that id.
   */
  removeMasterData(entity: "customer" | "discount", id: string): Promise<void> {
    return this.#serial(async () => {
      if (this.#staging.get(entity, id) === undefined) throw new UnknownMasterDataError(entity, id);
      await this.#staging.delete(entity, id);
    });
  }

  /**
   * Adds or replaces an operator: written to the store configuration (registers sign in from
   * its replicated PIN hashes, also offline) and staged for distribution.
   */
  upsertOperator(operator: Operator): Promise<void> {
    return this.#serial(async () => {
      const current = this.configuration();
      const operators = current.operators.filter((o) => o.id !== operator.id);
      writeStoreConfiguration(this.#configuration, {
        ...current,
        operators: [...operators, { ...operator, permissions: [...operator.permissions] }],
      });
      await this.#staging.upsert("operator", operator);
      this.#logger.info({ operatorId: operator.id, role: operator.role }, "operator saved");
    });
  }

  /**
   * Adds or replaces an offline profile (switch timeout, reconnect interval), already
   * validated: written to the store configuration and staged for distribution. Registers pick
   * it up when their connection controller starts.
   */
  upsertOfflineProfile(profile: OfflineProfile): Promise<void> {
    return this.#serial(async () => {
      const current = this.configuration();
      const profiles = current.offlineProfiles.filter((p) => p.id !== profile.id);
      writeStoreConfiguration(this.#configuration, {
        ...current,
        offlineProfiles: [...profiles, profile],
      });
      await this.#staging.upsert("offline-profile", profile);
      this.#logger.info({ offlineProfileId: profile.id }, "offline profile saved");
    });
  }

  /**
   * Turns a register's Offline support on or off: the store configuration gains or loses its
   * offline replica entry, and the register's settings are staged for distribution.
   */
  setOfflineSupport(registerId: string, enabled: boolean): Promise<StoreConfiguration> {
    return this.#serial(async () => {
      const current = this.configuration();
      const register = current.registers.find((r) => r.id === registerId);
      if (register === undefined) throw new UnknownRegisterError(registerId);
      const next = setOfflineSupport(current, registerId, enabled, this.#clock());
      writeStoreConfiguration(this.#configuration, next);
      const updated = next.registers.find((r) => r.id === registerId);
      if (updated !== undefined) await this.#staging.upsert("register", updated);
      this.#logger.info({ registerId, offlineSupport: enabled }, "register offline support set");
      return next;
    });
  }

  /**
   * Runs distribution: a full package (in a new log, recorded in the manifest) when the data
   * group has no log yet or `full` is asked, else a delta of what changed; nothing when nothing
   * changed.
   */
  distribute(options: { readonly full?: boolean } = {}): Promise<DistributionOutcome> {
    return this.#serial(async () => {
      const full = options.full === true || this.#log === undefined;
      const result = full
        ? await runFullDistribution({
            repo: this.#repo,
            staging: this.#staging,
            dataGroupId: this.configuration().channelDataGroup.id,
            currentLog: this.#log,
            clock: this.#clock,
          })
        : await runDeltaDistribution({
            staging: this.#staging,
            log: this.#log,
            clock: this.#clock,
          });
      if (result.kind === "none") return { seq: null, kind: "none", rows: 0 };
      if (result.kind === "full") {
        const current = this.configuration();
        writeStoreConfiguration(this.#configuration, {
          ...current,
          masterDataManifest: {
            ...current.masterDataManifest,
            [current.channelDataGroup.id]: {
              logDocumentId: result.log.documentId,
              sinceSeq: result.seq,
            },
          },
        });
        this.#log = result.log;
      }
      this.#logger.info(
        { seq: result.seq, kind: result.kind, rows: result.rows, log: result.log.documentId },
        "master data distributed",
      );
      return { seq: result.seq, kind: result.kind, rows: result.rows };
    });
  }

  /** The staging area as saved on disk. */
  stagingSnapshot(): StagingSnapshot {
    return this.#staging.snapshot();
  }

  /** Waits for every edit and run handed over so far. */
  async idle(): Promise<void> {
    await this.#queue.catch(() => {});
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => {});
    return next;
  }
}
