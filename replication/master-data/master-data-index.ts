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
import type { PackageKind } from "./master-data-log.ts";
import type { MasterDataEntity, MasterDataRow } from "./master-data-row.ts";
import type { EncodedPackage } from "./package-codec.ts";

/**
 * The register's master data, indexed for the reads a sale needs. Reads never touch Automerge.
 * Every implementation applies a package atomically together with its seq: after a crash the
 * index holds either the package and its seq, or neither.
 */

/** A verified package, ready to apply. */
export type VerifiedPackage = {
  readonly seq: number;
  readonly kind: PackageKind;
  /** The decoded, validated rows. */
  readonly rows: readonly MasterDataRow[];
  /** The verified bytes, for indexes that keep the package itself (the file index). */
  readonly encoded: EncodedPackage;
};

/** `already-applied`: the package's seq is not above the applied seq; nothing changed. */
export type ApplyOutcome = "applied" | "already-applied";

export type MasterDataCounts = Readonly<Record<MasterDataEntity, number>>;

/** Default number of products a search returns. */
export const PRODUCT_SEARCH_LIMIT = 20;

/** The lower-cased words of a product search; empty when there is nothing to search for. */
export function productSearchWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word.length > 0);
}

/** Whether an active product's name holds every search word. */
export function productMatches(product: Product, words: readonly string[]): boolean {
  if (!product.active || words.length === 0) return false;
  const name = product.name.toLowerCase();
  return words.every((word) => name.includes(word));
}

/** Search order: by name, then id. */
export function compareProducts(a: Product, b: Product): number {
  return a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Default number of customers a search returns. */
export const CUSTOMER_SEARCH_LIMIT = 20;

export interface MasterDataIndex {
  /** Seq of the last package applied; 0 when empty. */
  appliedSeq(): Promise<number>;
  /**
   * Applies one package atomically with its seq. A `full` package replaces everything; a `delta`
   * must be exactly the next seq.
   *
   * @throws {MasterDataError} `POS_MD_005` for a delta that does not follow the applied seq (the
   * index is unchanged), `POS_MD_009` when storage fails (the index is unchanged).
   */
  apply(pkg: VerifiedPackage): Promise<ApplyOutcome>;
  productById(id: string): Promise<Product | undefined>;
  productByBarcode(barcode: string): Promise<Product | undefined>;
  /**
   * Active products whose name contains every word of `text` (case-insensitive), for the
   * register's product search; at most `limit`, ordered by name, then id.
   */
  searchProducts(text: string, limit?: number): Promise<Product[]>;
  /**
   * Customers whose name (or any word of it), e-mail or phone number starts with `prefix`,
   * case-insensitively; phone numbers match on digits only. Ordered by name, then id.
   */
  searchCustomers(prefix: string, limit?: number): Promise<Customer[]>;
  customerById(id: string): Promise<Customer | undefined>;
  operatorById(id: string): Promise<Operator | undefined>;
  registerById(id: string): Promise<Register | undefined>;
  offlineProfileById(id: string): Promise<OfflineProfile | undefined>;
  /** All tender types, ordered by id. */
  tenderTypes(): Promise<TenderType[]>;
  /** All tax groups, ordered by id. */
  taxGroups(): Promise<TaxGroup[]>;
  /** All discounts, ordered by id. */
  discounts(): Promise<Discount[]>;
  /** The store with `id`, or when omitted the store this data group serves (lowest id). */
  store(id?: string): Promise<Store | undefined>;
  counts(): Promise<MasterDataCounts>;
  /** Releases files or database connections. */
  close(): Promise<void>;
}

/**
 * The ordering rule every index enforces: returns `skip` for a package already covered, `apply`
 * for the next delta or any newer full package.
 *
 * @throws {MasterDataError} `POS_MD_005` for a delta that does not follow `applied`.
 */
export function checkSequence(applied: number, pkg: VerifiedPackage): "apply" | "skip" {
  if (pkg.seq <= applied) return "skip";
  if (pkg.kind === "delta" && pkg.seq !== applied + 1) {
    throw new MasterDataError(
      MASTER_DATA_ERROR_CODES.sequenceGap,
      `Data package ${pkg.seq} cannot be applied before package ${applied + 1}; ` +
        "the register waits until it has been downloaded.",
      { seq: pkg.seq },
    );
  }
  return "apply";
}

const PHONE_QUERY = /^[+\d\s\-().]+$/;

/** Normalises a search prefix the same way search keys are built. */
export function customerSearchQuery(prefix: string): string {
  const trimmed = prefix.trim();
  return PHONE_QUERY.test(trimmed) ? trimmed.replace(/\D/g, "") : trimmed.toLowerCase();
}

/** The keys a customer is found by: full name, each word of it, e-mail, phone digits. */
export function customerSearchKeys(customer: Customer): string[] {
  const name = customer.name.trim().toLowerCase();
  const keys = new Set<string>([name, ...name.split(/\s+/)]);
  if (customer.email !== undefined) keys.add(customer.email.trim().toLowerCase());
  if (customer.phone !== undefined) keys.add(customer.phone.replace(/\D/g, ""));
  keys.delete("");
  return [...keys];
}

/** Orders customers by name, then id (the order every index returns). */
export function compareCustomers(a: Customer, b: Customer): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Orders records by id. */
export function compareById(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
