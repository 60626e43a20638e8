import type { PosEvent } from "../../../domain/events.ts";

/**
 * The nine events of one ordinary sale (start, five lines, a discount, a payment, completion),
 * numbered from `firstSeq`.
 */
export function sampleSaleEvents(registerId: string, firstSeq: number, saleId: string): PosEvent[] {
  let seq = firstSeq;
  const meta = () => {
    const s = seq++;
    return { id: `${registerId}-e${s}`, registerId, seq: s, at: 1_700_000_000_000 + s };
  };
  const started: PosEvent = {
    ...meta(),
    type: "SaleStarted",
    saleId,
    receiptNumber: `s1-${registerId}-${seq}`,
    storeId: "s1",
    operatorId: "op-1",
    shiftId: null,
    pricesIncludeTax: true,
  };
  const lines: PosEvent[] = Array.from({ length: 5 }, (_, i) => ({
    ...meta(),
    type: "LineAdded",
    saleId,
    lineId: `${saleId}-l${i}`,
    productId: `p-${i}`,
    name: `Product ${i}`,
    barcode: i % 2 === 0 ? `400000000000${i}` : null,
    quantity: 1 + i,
    unitPrice: 199 + i,
    taxGroupId: "standard",
    taxRateBp: 2000,
  }));
  return [
    started,
    ...lines,
    {
      ...meta(),
      type: "DiscountApplied",
      saleId,
      discountId: null,
      lineId: null,
      kind: "percent",
      value: 500,
      operatorId: "op-1",
      approvedBy: null,
    },
    {
      ...meta(),
      type: "PaymentAdded",
      saleId,
      paymentId: `${saleId}-p`,
      tenderTypeId: "cash",
      tenderKind: "cash",
      amount: 5000,
      reference: null,
    },
    { ...meta(), type: "SaleCompleted", saleId, total: 3000, tax: 500, changeDue: 2000 },
  ];
}
