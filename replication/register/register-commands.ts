import type { Money } from "../../domain/money.ts";
import type { RegisterView, StoreStockView, XReportView } from "./register-view.ts";

/** A product as the search box lists it. */
export type ProductHit = {
  readonly id: string;
  readonly name: string;
  readonly barcode: string | null;
  readonly price: Money;
};

export type CustomerHit = { readonly id: string; readonly name: string };

/** Outcome of a cashier action: refused actions carry a stable code and a readable message. */
export type ActionResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * Everything a cashier can do at the register. The same interface is implemented by the
 * register session that runs in the browser and headless in Node.
 */
export interface RegisterCommands {
  view(): RegisterView;
  subscribe(listener: (view: RegisterView) => void): () => void;

  /**
   * Activates this device with the one-time code from the back office. `registerId` names the
   * register being activated where the device does not know it yet (a browser's first start).
   */
  activate(code: string, registerId?: string): Promise<ActionResult>;
  signIn(operatorId: string, pin: string): Promise<ActionResult>;
  signOut(): Promise<ActionResult>;
  lock(): Promise<ActionResult>;

  /** Adds a line for the scanned barcode, starting a sale if none is open. */
  scan(barcode: string, quantity?: number): Promise<ActionResult>;
  addProduct(productId: string, quantity?: number): Promise<ActionResult>;
  searchProducts(text: string, limit?: number): Promise<readonly ProductHit[]>;
  searchCustomers(text: string, limit?: number): Promise<readonly CustomerHit[]>;
  changeQuantity(lineId: string, quantity: number): Promise<ActionResult>;
  voidLine(lineId: string): Promise<ActionResult>;
  applyDiscount(input: {
    lineId: string | null;
    kind: "percent" | "amount";
    value: number;
    managerId?: string;
    managerPin?: string;
  }): Promise<ActionResult>;
  attachCustomer(customerId: string): Promise<ActionResult>;
  pay(
    tenderKind: "cash" | "card" | "gift-card" | "customer-account",
    amount: Money,
  ): Promise<ActionResult>;
  completeSale(): Promise<ActionResult>;
  voidSale(reason: string, managerId?: string, managerPin?: string): Promise<ActionResult>;
  addReturnLine(input: {
    productId: string;
    quantity: number;
    originalReceipt: string | null;
    managerId?: string;
    managerPin?: string;
  }): Promise<ActionResult>;

  openShift(openingFloat: Money): Promise<ActionResult>;
  declareCash(amount: Money): Promise<ActionResult>;
  closeShift(): Promise<ActionResult>;

  /** Operation 917 "Database connection status": Disconnect or Connect. */
  operation917(): Promise<ActionResult>;
  syncNow(): Promise<ActionResult>;

  /**
   * X report of the open shift. Optional: a register that cannot build one leaves it out and the
   * app says so instead of showing a button that does nothing.
   */
  xReport?(): Promise<XReportView>;
  /**
   * Stock of a product in the store's other stores. Needs the server's live state, so the app
   * offers it only online; optional for registers that do not support the lookup.
   */
  stockInOtherStores?(productId: string): Promise<readonly StoreStockView[]>;
  /** Partition simulation for testers (`?dev=1`): drop every connection to the retail server. */
  cutNetwork?(): Promise<void>;
  /** Partition simulation for testers (`?dev=1`): allow connections to the retail server again. */
  healNetwork?(): Promise<void>;
}
