import type { Money } from "./money.ts";

/**
 * Master data as headquarters defines it and distributes it to stores and registers.
 * Plain readonly records: validation of untrusted copies happens at the replication boundary.
 */

export type Store = {
  readonly id: string;
  readonly name: string;
  /** ISO 4217 code, e.g. "EUR". */
  readonly currency: string;
  /** true: shelf prices include tax (tax is extracted); false: tax is added on top. */
  readonly pricesIncludeTax: boolean;
};

export type TaxGroup = {
  readonly id: string;
  readonly name: string;
  /** Rate in basis points: 2000 = 20 %. */
  readonly rateBp: number;
};

export type Product = {
  readonly id: string;
  readonly name: string;
  readonly barcodes: readonly string[];
  /** Shelf price per unit in minor units (tax-inclusive or exclusive per the store). */
  readonly price: Money;
  readonly taxGroupId: string;
  readonly active: boolean;
};

export const DISCOUNT_KINDS = ["percent", "amount"] as const;
export type DiscountKind = (typeof DISCOUNT_KINDS)[number];

export type Discount = {
  readonly id: string;
  readonly name: string;
  readonly kind: DiscountKind;
  /** Basis points for `percent`, minor units for `amount`. */
  readonly value: number;
  /** Whether it applies to one line or to the whole transaction. */
  readonly scope: "line" | "sale";
  readonly active: boolean;
};

export type Customer = {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
};

export const PERMISSIONS = [
  "sell",
  "void-line",
  "void-sale",
  "discount",
  "return-with-receipt",
  "return-blind",
  "shift",
  "x-report",
  "z-report",
  "manager-override",
  "back-office",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const OPERATOR_ROLES = ["cashier", "manager"] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** A PIN is stored only as a salted PBKDF2-SHA256 hash; the iteration count is recorded with it. */
export type PinHash = {
  readonly algorithm: "PBKDF2-SHA256";
  readonly iterations: number;
  /** base64 */
  readonly salt: string;
  /** base64 */
  readonly hash: string;
};

export type Operator = {
  readonly id: string;
  readonly name: string;
  readonly role: OperatorRole;
  readonly permissions: readonly Permission[];
  /** Largest discount this operator may give without a manager, in basis points of the amount. */
  readonly maxDiscountBp: number;
  readonly pinHash: PinHash;
};

export type OfflineProfile = {
  readonly id: string;
  readonly name: string;
  /** A data request not answered within this time switches the register offline. */
  readonly switchTimeoutMs: number;
  /** While offline, a reconnect is tried at transaction start once this much time has passed. */
  readonly reconnectIntervalMs: number;
};

export type Register = {
  readonly id: string;
  readonly storeId: string;
  readonly name: string;
  /** Offline support: the register keeps an offline database and may switch to it. */
  readonly offlineSupport: boolean;
  /** Overrides the store's offline profile when set. */
  readonly offlineProfileId?: string;
};

export const TENDER_KINDS = ["cash", "card", "gift-card", "customer-account"] as const;
export type TenderKind = (typeof TENDER_KINDS)[number];

/** Tenders that need the server's live state (balances) and are refused offline. */
export const ONLINE_ONLY_TENDER_KINDS: readonly TenderKind[] = ["gift-card", "customer-account"];

export type TenderType = {
  readonly id: string;
  readonly name: string;
  readonly kind: TenderKind;
};

export function tenderRequiresServer(kind: TenderKind): boolean {
  return ONLINE_ONLY_TENDER_KINDS.includes(kind);
}
