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
  type ApplyOutcome,
  checkSequence,
  type MasterDataCounts,
  type MasterDataIndex,
  type VerifiedPackage,
} from "./master-data-index.ts";
import { MasterDataTables } from "./master-data-tables.ts";

/**
 * Master data index held in memory only: for the retail server and for registers without offline
 * support, which keep nothing persistent and download again at start.
 */
export class MemoryMasterDataIndex implements MasterDataIndex {
  #tables = new MasterDataTables();
  #appliedSeq = 0;

  async appliedSeq(): Promise<number> {
    return this.#appliedSeq;
  }

  async apply(pkg: VerifiedPackage): Promise<ApplyOutcome> {
    if (checkSequence(this.#appliedSeq, pkg) === "skip") return "already-applied";
    if (pkg.kind === "full") {
      const tables = new MasterDataTables();
      tables.applyRows(pkg.rows);
      this.#tables = tables;
    } else {
      this.#tables.applyRows(pkg.rows);
    }
    this.#appliedSeq = pkg.seq;
    return "applied";
  }

  async productById(id: string): Promise<Product | undefined> {
    return this.#tables.productById(id);
  }
  async productByBarcode(barcode: string): Promise<Product | undefined> {
    return this.#tables.productByBarcode(barcode);
  }
  async searchProducts(text: string, limit?: number): Promise<Product[]> {
    return this.#tables.searchProducts(text, limit);
  }

  async searchCustomers(prefix: string, limit?: number): Promise<Customer[]> {
    return this.#tables.searchCustomers(prefix, limit);
  }
  async customerById(id: string): Promise<Customer | undefined> {
    return this.#tables.customerById(id);
  }
  async operatorById(id: string): Promise<Operator | undefined> {
    return this.#tables.operator(id);
  }
  async registerById(id: string): Promise<Register | undefined> {
    return this.#tables.register(id);
  }
  async offlineProfileById(id: string): Promise<OfflineProfile | undefined> {
    return this.#tables.offlineProfile(id);
  }
  async tenderTypes(): Promise<TenderType[]> {
    return this.#tables.tenderTypes();
  }
  async taxGroups(): Promise<TaxGroup[]> {
    return this.#tables.taxGroups();
  }
  async discounts(): Promise<Discount[]> {
    return this.#tables.discounts();
  }
  async store(id?: string): Promise<Store | undefined> {
    return this.#tables.store(id);
  }
  async counts(): Promise<MasterDataCounts> {
    return this.#tables.counts();
  }
  async close(): Promise<void> {}
}
