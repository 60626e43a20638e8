import type {
  Customer,
  Discount,
  OfflineProfile,
  Operator,
  Product,
  Register,
  Store,
  TaxGroup,
  TenderType,
} from "../../domain/master-data.ts";
import { MASTER_DATA_ERROR_CODES, MasterDataError } from "./master-data-error.ts";
import {
  type ApplyOutcome,
  CUSTOMER_SEARCH_LIMIT,
  checkSequence,
  compareById,
  compareCustomers,
  compareProducts,
  customerSearchKeys,
  customerSearchQuery,
  type MasterDataCounts,
  type MasterDataIndex,
  PRODUCT_SEARCH_LIMIT,
  productMatches,
  productSearchWords,
  type VerifiedPackage,
} from "./master-data-index.ts";
import {
  MASTER_DATA_ENTITIES,
  type MasterDataEntity,
  type MasterDataValue,
} from "./master-data-row.ts";

/**
 * Master data index for the browser register: IndexedDB object stores, each package applied in
 * ONE readwrite transaction together with the applied seq, so a closed tab or a crash leaves
 * either the whole package or none of it.
 *
 * Stores: `products` (key `id`, multiEntry index `barcode`), `customers` (key `id`, multiEntry
 * index `search` on the customer's search keys), `records` (every other entity, key
 * `[entity, id]`, index `entity`), `meta` (`appliedSeq`).
 */

const DB_VERSION = 1;
const STORES = ["products", "customers", "records", "meta"] as const;

type CustomerRecord = { readonly id: string; readonly value: Customer; readonly search: string[] };
type OtherRecord = {
  readonly entity: MasterDataEntity;
  readonly id: string;
  readonly value: unknown;
};

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function completion(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("transaction aborted"));
  });
}

function storageError(name: string, what: string, cause: unknown): MasterDataError {
  return new MasterDataError(
    MASTER_DATA_ERROR_CODES.indexStorage,
    `Cannot ${what} the register's master data (IndexedDB database "${name}"). Free browser ` +
      "storage or clear the site's data and reload to download master data again.",
    { cause },
  );
}

/** The IndexedDB globals the index needs: the browser's own, or fake-indexeddb's in Node tests. */
export type IndexedDbEnvironment = {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
};

export class IndexedDbMasterDataIndex implements MasterDataIndex {
  readonly #db: IDBDatabase;
  readonly #name: string;
  readonly #keyRange: typeof IDBKeyRange;

  private constructor(db: IDBDatabase, name: string, keyRange: typeof IDBKeyRange) {
    this.#db = db;
    this.#name = name;
    this.#keyRange = keyRange;
  }

  /** Opens (creating if needed) the database `name`. */
  static async open(
    name: string,
    env: IndexedDbEnvironment = globalThis,
  ): Promise<IndexedDbMasterDataIndex> {
    try {
      const req = env.indexedDB.open(name, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        const products = db.createObjectStore("products", { keyPath: "id" });
        products.createIndex("barcode", "barcodes", { multiEntry: true });
        const customers = db.createObjectStore("customers", { keyPath: "id" });
        customers.createIndex("search", "search", { multiEntry: true });
        const records = db.createObjectStore("records", { keyPath: ["entity", "id"] });
        records.createIndex("entity", "entity");
        db.createObjectStore("meta");
      };
      return new IndexedDbMasterDataIndex(await request(req), name, env.IDBKeyRange);
    } catch (cause) {
      throw storageError(name, "open", cause);
    }
  }

  async appliedSeq(): Promise<number> {
    const tx = this.#db.transaction("meta", "readonly");
    const seq = await request(tx.objectStore("meta").get("appliedSeq"));
    return typeof seq === "number" ? seq : 0;
  }

  async apply(pkg: VerifiedPackage): Promise<ApplyOutcome> {
    const tx = this.#db.transaction(STORES, "readwrite");
    const done = completion(tx);
    done.catch(() => undefined);
    const meta = tx.objectStore("meta");
    let outcome: ApplyOutcome;
    try {
      const stored = await request(meta.get("appliedSeq"));
      const applied = typeof stored === "number" ? stored : 0;
      if (checkSequence(applied, pkg) === "skip") {
        outcome = "already-applied";
      } else {
        outcome = "applied";
        this.#write(tx, pkg);
        meta.put(pkg.seq, "appliedSeq");
      }
    } catch (error) {
      tx.abort();
      if (error instanceof MasterDataError) throw error;
      throw storageError(this.#name, "write", error);
    }
    try {
      await done;
    } catch (cause) {
      throw storageError(this.#name, "write", cause);
    }
    return outcome;
  }

  #write(tx: IDBTransaction, pkg: VerifiedPackage): void {
    const products = tx.objectStore("products");
    const customers = tx.objectStore("customers");
    const records = tx.objectStore("records");
    if (pkg.kind === "full") {
      products.clear();
      customers.clear();
      records.clear();
    }
    for (const row of pkg.rows) {
      if (row.entity === "product") {
        if (row.op === "upsert") products.put(row.value);
        else products.delete(row.id);
      } else if (row.entity === "customer") {
        if (row.op === "upsert") {
          const value = row.value as Customer;
          const record: CustomerRecord = { id: value.id, value, search: customerSearchKeys(value) };
          customers.put(record);
        } else {
          customers.delete(row.id);
        }
      } else if (row.op === "upsert") {
        const record: OtherRecord = { entity: row.entity, id: row.value.id, value: row.value };
        records.put(record);
      } else {
        records.delete([row.entity, row.id]);
      }
    }
  }

  async productById(id: string): Promise<Product | undefined> {
    const tx = this.#db.transaction("products", "readonly");
    return (await request(tx.objectStore("products").get(id))) as Product | undefined;
  }

  async productByBarcode(barcode: string): Promise<Product | undefined> {
    const tx = this.#db.transaction("products", "readonly");
    const index = tx.objectStore("products").index("barcode");
    return (await request(index.get(barcode))) as Product | undefined;
  }

  /**
   * Walks the products store with a cursor, keeping the matches: no extra index to maintain at
   * provisioning, and a cashier's search reads each record once.
   */
  async searchProducts(text: string, limit = PRODUCT_SEARCH_LIMIT): Promise<Product[]> {
    const words = productSearchWords(text);
    if (words.length === 0) return [];
    const tx = this.#db.transaction("products", "readonly");
    const cursor = tx.objectStore("products").openCursor();
    const found: Product[] = [];
    await new Promise<void>((resolve, reject) => {
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const current = cursor.result;
        if (current === null) {
          resolve();
          return;
        }
        const product = current.value as Product;
        if (productMatches(product, words)) found.push(product);
        current.continue();
      };
    });
    return found.sort(compareProducts).slice(0, limit);
  }

  async customerById(id: string): Promise<Customer | undefined> {
    const tx = this.#db.transaction("customers", "readonly");
    const record = (await request(tx.objectStore("customers").get(id))) as
      | CustomerRecord
      | undefined;
    return record?.value;
  }

  async searchCustomers(prefix: string, limit = CUSTOMER_SEARCH_LIMIT): Promise<Customer[]> {
    const query = customerSearchQuery(prefix);
    if (query === "") return [];
    const tx = this.#db.transaction("customers", "readonly");
    const range = this.#keyRange.bound(query, `${query}\uffff`);
    const records = (await request(
      tx.objectStore("customers").index("search").getAll(range),
    )) as CustomerRecord[];
    const byId = new Map(records.map((record) => [record.id, record.value]));
    return [...byId.values()].sort(compareCustomers).slice(0, limit);
  }

  async #record<E extends MasterDataEntity>(
    entity: E,
    id: string,
  ): Promise<MasterDataValue[E] | undefined> {
    const tx = this.#db.transaction("records", "readonly");
    const record = (await request(tx.objectStore("records").get([entity, id]))) as
      | OtherRecord
      | undefined;
    return record?.value as MasterDataValue[E] | undefined;
  }

  async #records<E extends MasterDataEntity>(entity: E): Promise<MasterDataValue[E][]> {
    const tx = this.#db.transaction("records", "readonly");
    const records = (await request(
      tx.objectStore("records").index("entity").getAll(entity),
    )) as OtherRecord[];
    return records.map((record) => record.value as MasterDataValue[E]).sort(compareById);
  }

  operatorById(id: string): Promise<Operator | undefined> {
    return this.#record("operator", id);
  }
  registerById(id: string): Promise<Register | undefined> {
    return this.#record("register", id);
  }
  offlineProfileById(id: string): Promise<OfflineProfile | undefined> {
    return this.#record("offline-profile", id);
  }
  tenderTypes(): Promise<TenderType[]> {
    return this.#records("tender-type");
  }
  taxGroups(): Promise<TaxGroup[]> {
    return this.#records("tax-group");
  }
  discounts(): Promise<Discount[]> {
    return this.#records("discount");
  }
  async store(id?: string): Promise<Store | undefined> {
    if (id !== undefined) return this.#record("store", id);
    return (await this.#records("store"))[0];
  }

  async counts(): Promise<MasterDataCounts> {
    const tx = this.#db.transaction(["products", "customers", "records"], "readonly");
    const entityIndex = tx.objectStore("records").index("entity");
    const [product, customer, ...others] = await Promise.all([
      request(tx.objectStore("products").count()),
      request(tx.objectStore("customers").count()),
      ...MASTER_DATA_ENTITIES.map((entity) => request(entityIndex.count(entity))),
    ]);
    const counts = Object.fromEntries(
      MASTER_DATA_ENTITIES.map((entity, i) => [entity, others[i] ?? 0]),
    ) as Record<MasterDataEntity, number>;
    counts.product = product ?? 0;
    counts.customer = customer ?? 0;
    return counts;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
