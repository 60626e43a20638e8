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
import {
  CUSTOMER_SEARCH_LIMIT,
  compareById,
  compareCustomers,
  compareProducts,
  customerSearchKeys,
  customerSearchQuery,
  type MasterDataCounts,
  PRODUCT_SEARCH_LIMIT,
  productMatches,
  productSearchWords,
} from "./master-data-index.ts";
import {
  MASTER_DATA_ENTITIES,
  type MasterDataEntity,
  type MasterDataRow,
  type MasterDataValue,
} from "./master-data-row.ts";

type Others = Exclude<MasterDataEntity, "product" | "customer">;

/**
 * In-memory tables with the lookups a register needs (by id, by barcode, customer prefix
 * search). Shared by the memory and file indexes; applying validated rows cannot fail halfway.
 */
export class MasterDataTables {
  readonly #products = new Map<string, Product>();
  readonly #barcodes = new Map<string, string>();
  readonly #customers = new Map<string, { customer: Customer; keys: string[] }>();
  readonly #others = new Map<Others, Map<string, MasterDataValue[Others]>>();

  /** Applies rows in order: upserts replace, deletes remove (unknown ids are ignored). */
  applyRows(rows: readonly MasterDataRow[]): void {
    for (const row of rows) {
      if (row.entity === "product") {
        if (row.op === "upsert") this.#putProduct(row.value as Product);
        else this.#deleteProduct(row.id);
      } else if (row.entity === "customer") {
        if (row.op === "upsert") {
          const customer = row.value as Customer;
          this.#customers.set(customer.id, { customer, keys: customerSearchKeys(customer) });
        } else {
          this.#customers.delete(row.id);
        }
      } else {
        const table = this.#table(row.entity);
        if (row.op === "upsert") table.set(row.value.id, row.value as MasterDataValue[Others]);
        else table.delete(row.id);
      }
    }
  }

  productById(id: string): Product | undefined {
    return this.#products.get(id);
  }

  productByBarcode(barcode: string): Product | undefined {
    const id = this.#barcodes.get(barcode);
    return id === undefined ? undefined : this.#products.get(id);
  }

  searchProducts(text: string, limit = PRODUCT_SEARCH_LIMIT): Product[] {
    const words = productSearchWords(text);
    if (words.length === 0) return [];
    const found: Product[] = [];
    for (const product of this.#products.values()) {
      if (productMatches(product, words)) found.push(product);
    }
    return found.sort(compareProducts).slice(0, limit);
  }

  customerById(id: string): Customer | undefined {
    return this.#customers.get(id)?.customer;
  }

  searchCustomers(prefix: string, limit = CUSTOMER_SEARCH_LIMIT): Customer[] {
    const query = customerSearchQuery(prefix);
    if (query === "") return [];
    const found: Customer[] = [];
    for (const { customer, keys } of this.#customers.values()) {
      if (keys.some((key) => key.startsWith(query))) found.push(customer);
    }
    return found.sort(compareCustomers).slice(0, limit);
  }

  get<E extends Others>(entity: E, id: string): MasterDataValue[E] | undefined {
    return this.#others.get(entity)?.get(id) as MasterDataValue[E] | undefined;
  }

  list<E extends Others>(entity: E): MasterDataValue[E][] {
    const values = [...(this.#others.get(entity)?.values() ?? [])] as MasterDataValue[E][];
    return values.sort(compareById);
  }

  operator(id: string): Operator | undefined {
    return this.get("operator", id);
  }
  register(id: string): Register | undefined {
    return this.get("register", id);
  }
  offlineProfile(id: string): OfflineProfile | undefined {
    return this.get("offline-profile", id);
  }
  tenderTypes(): TenderType[] {
    return this.list("tender-type");
  }
  taxGroups(): TaxGroup[] {
    return this.list("tax-group");
  }
  discounts(): Discount[] {
    return this.list("discount");
  }
  store(id?: string): Store | undefined {
    return id === undefined ? this.list("store")[0] : this.get("store", id);
  }

  counts(): MasterDataCounts {
    const counts = Object.fromEntries(MASTER_DATA_ENTITIES.map((entity) => [entity, 0])) as Record<
      MasterDataEntity,
      number
    >;
    counts.product = this.#products.size;
    counts.customer = this.#customers.size;
    for (const [entity, table] of this.#others) counts[entity] = table.size;
    return counts;
  }

  #table(entity: Others): Map<string, MasterDataValue[Others]> {
    let table = this.#others.get(entity);
    if (table === undefined) {
      table = new Map();
      this.#others.set(entity, table);
    }
    return table;
  }

  /** One map lookup per product: a fresh table (a full package) never finds a previous one. */
  #putProduct(product: Product): void {
    const previous = this.#products.get(product.id);
    if (previous !== undefined) this.#dropBarcodes(previous);
    this.#products.set(product.id, product);
    const barcodes = product.barcodes;
    for (let i = 0; i < barcodes.length; i++) {
      this.#barcodes.set(barcodes[i] as string, product.id);
    }
  }

  #deleteProduct(id: string): void {
    const previous = this.#products.get(id);
    if (previous === undefined) return;
    this.#products.delete(id);
    this.#dropBarcodes(previous);
  }

  #dropBarcodes(previous: Product): void {
    for (const barcode of previous.barcodes) {
      if (this.#barcodes.get(barcode) === previous.id) this.#barcodes.delete(barcode);
    }
  }
}
