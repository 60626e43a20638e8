import type { PosEvent } from "../domain/events.ts";
import type { MasterDataIndex } from "../replication/master-data/master-data-index.ts";
import { barcodeOf, CASH, STANDARD_TAX } from "./catalog.ts";
import { BenchRegister, LINES_PER_SALE } from "./sales.ts";

/**
 * The timed path of scan-to-line, shared by the Node and the browser figures: each scan looks
 * the barcode up in the index, runs the domain's addLine and hands its events to `append`;
 * sales are started, paid and completed between scans, untimed. Returns one timing per scan (ms).
 */
export async function scanSession(
  index: Pick<MasterDataIndex, "productByBarcode">,
  scans: number,
  products: number,
  append: (events: readonly PosEvent[]) => void,
  registerId = "r1",
): Promise<number[]> {
  const register = new BenchRegister(registerId);
  const timings: number[] = [];
  let sale = 0;
  while (timings.length < scans) {
    append(register.run({ type: "startSale" }));
    for (let line = 0; line < LINES_PER_SALE && timings.length < scans; line++) {
      const barcode = barcodeOf((sale * 7919 + line * 104_729) % products);
      const started = performance.now();
      const product = await index.productByBarcode(barcode);
      if (product === undefined) throw new Error(`barcode ${barcode} not found`);
      append(
        register.run({ type: "addLine", product, taxGroup: STANDARD_TAX, quantity: 1, barcode }),
      );
      timings.push(performance.now() - started);
    }
    const due = register.state.openSale?.amountDue ?? 0;
    append(register.run({ type: "addPayment", tender: CASH, amount: due }));
    append(register.run({ type: "completeSale" }));
    sale++;
  }
  return timings;
}
