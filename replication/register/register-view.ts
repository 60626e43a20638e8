import type { Money } from "../../domain/money.ts";

/**
 * What the cashier's screen shows, as one immutable snapshot. The register session publishes a
 * new snapshot after every change; the SolidJS app and headless tests read only this.
 */

/** The connection mode as the status header shows it. */
export type RegisterMode = "online" | "offline" | "offline-manual" | "probing" | "unavailable";

export type SaleLineView = {
  readonly lineId: string;
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  /** Amount after line and allocated sale discounts; negative for a return line. */
  readonly amount: Money;
  readonly voided: boolean;
  readonly isReturn: boolean;
};

export type PaymentView = {
  readonly paymentId: string;
  readonly tenderKind: "cash" | "card" | "gift-card" | "customer-account";
  readonly amount: Money;
};

export type SaleView = {
  readonly saleId: string;
  readonly receiptNumber: string;
  readonly lines: readonly SaleLineView[];
  readonly payments: readonly PaymentView[];
  readonly customer: { readonly id: string; readonly name: string } | null;
  readonly subtotal: Money;
  readonly discount: Money;
  readonly tax: Money;
  readonly total: Money;
  readonly paid: Money;
  /** Still to pay; 0 once fully paid. */
  readonly due: Money;
  readonly changeDue: Money;
};

export type ReceiptView = SaleView & {
  readonly completedAt: number;
  readonly storeName: string;
  readonly registerId: string;
  readonly operatorName: string;
};

export type TransferAttemptView = {
  readonly at: number;
  readonly result: "ok" | "failed" | "partial";
  readonly detail: string;
};

export type ConnectionStatusView = {
  readonly mode: RegisterMode;
  readonly lastDownload: (TransferAttemptView & { packages: number; rows: number }) | null;
  readonly lastUpload: (TransferAttemptView & { events: number }) | null;
  readonly pendingUploadSales: number;
  readonly pendingUploadEvents: number;
  readonly pendingDownloads: number;
  readonly appliedPackageSeq: number;
  readonly latestPackageSeq: number;
  readonly lastError: string | null;
  /** false when the browser refused persistent storage: data may be evicted. */
  readonly storagePersisted: boolean | null;
};

export type ProvisioningView = {
  readonly packagesApplied: number;
  readonly rowsApplied: number;
  readonly appliedSeq: number;
  readonly latestSeq: number;
  /** Selling is allowed once master data is in. */
  readonly ready: boolean;
};

export type RegisterView = {
  readonly registerId: string;
  readonly storeId: string;
  readonly storeName: string;
  readonly currency: string;
  readonly activated: boolean;
  readonly offlineSupport: boolean;
  readonly operator: {
    readonly id: string;
    readonly name: string;
    readonly role: "cashier" | "manager";
  } | null;
  readonly locked: boolean;
  readonly shiftOpen: boolean;
  readonly sale: SaleView | null;
  readonly lastReceipt: ReceiptView | null;
  readonly connection: ConnectionStatusView;
  readonly provisioning: ProvisioningView;
  /** Operation 917's label: "Disconnect" while connected, "Connect" while disconnected. */
  readonly operation917Label: "Disconnect" | "Connect";
  /** The last refused action's message, shown to the cashier; null when none. */
  readonly message: string | null;
};

/** Totals per tender in an X report. */
export type TenderTotalView = {
  readonly tenderKind: "cash" | "card" | "gift-card" | "customer-account";
  readonly count: number;
  readonly amount: Money;
};

/**
 * X report: the running totals of the open shift, read without closing anything (a Z report
 * closes the day on the server). Built from this register's own events, so it works offline.
 */
export type XReportView = {
  readonly generatedAt: number;
  readonly registerId: string;
  readonly operatorName: string;
  readonly shiftOpenedAt: number | null;
  readonly salesCount: number;
  readonly returnsCount: number;
  readonly voidedSalesCount: number;
  readonly grossSales: Money;
  readonly discounts: Money;
  readonly returns: Money;
  readonly tax: Money;
  readonly netSales: Money;
  readonly byTender: readonly TenderTotalView[];
  readonly openingFloat: Money;
  /** Opening float plus cash taken minus change given. */
  readonly expectedCash: Money;
  readonly declaredCash: Money | null;
};

/** On-hand stock of one product in another store, as the server reports it (online only). */
export type StoreStockView = {
  readonly storeId: string;
  readonly storeName: string;
  readonly onHand: number;
};
