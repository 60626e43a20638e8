import { createSignal, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import { CustomerPanel } from "./customer-panel.tsx";
import { DiscountPanel } from "./discount-panel.tsx";
import { LinesTable } from "./lines-table.tsx";
import { OperationGrid, type SalePanel } from "./operation-grid.tsx";
import { ProductSearch } from "./product-search.tsx";
import { Receipt } from "./receipt.tsx";
import { useRegister } from "./register-context.ts";
import { ReturnPanel } from "./return-panel.tsx";
import { ShiftPanel } from "./shift-panel.tsx";
import { StockPanel } from "./stock-panel.tsx";
import { TenderPanel } from "./tender-panel.tsx";
import { TotalsPanel } from "./totals-panel.tsx";
import { VoidSalePanel } from "./void-sale-panel.tsx";
import { XReportPanel } from "./x-report-panel.tsx";

/** Keyboard shortcuts of the sale screen, shown in its footer. */
export const SALE_SHORTCUTS = [
  { key: "F2", action: "Barcode" },
  { key: "F3", action: "Product search" },
  { key: "F4", action: "Amount" },
  { key: "F9", action: "Complete sale" },
  { key: "Esc", action: "Back to payment" },
] as const;

/**
 * Selling: scan or search items, adjust lines, pay and complete. The Barcode input is the home
 * position: a scanner types digits then Enter, which adds the item and leaves the focus there.
 */
export function SaleScreen(props: {
  readonly onBarcodeReady: (focus: () => void) => void;
  readonly locale: string | undefined;
}) {
  const { view, commands, run } = useRegister();
  const [barcode, setBarcode] = createSignal("");
  /** Scans not yet saved on the register; the scan bar is busy until each one is. */
  const [scansInFlight, setScansInFlight] = createSignal(0);
  const [chosen, setChosen] = createSignal<SalePanel | null>(null);
  let barcodeInput: HTMLInputElement | undefined;
  let searchInput: HTMLInputElement | undefined;
  let amountInput: HTMLInputElement | undefined;
  let completeButton: HTMLButtonElement | undefined;

  const panel = (): SalePanel => chosen() ?? (view.shiftOpen ? "tender" : "shift");
  const focusBarcode = () => barcodeInput?.focus();
  const backToPayment = () => {
    setChosen(null);
    queueMicrotask(focusBarcode);
  };
  props.onBarcodeReady(focusBarcode);

  const submitBarcode = async (event: SubmitEvent) => {
    event.preventDefault();
    const code = barcode().trim();
    setBarcode("");
    focusBarcode();
    if (code !== "") {
      setScansInFlight((n) => n + 1);
      await run(() => commands.scan(code));
      setScansInFlight((n) => n - 1);
    }
    focusBarcode();
  };

  const onKey = (event: KeyboardEvent) => {
    const target: Record<string, (() => void) | undefined> = {
      F2: focusBarcode,
      F3: () => searchInput?.focus(),
      F4: () => {
        setChosen("tender");
        queueMicrotask(() => amountInput?.focus());
      },
      F9: () => completeButton?.click(),
      Escape: backToPayment,
    };
    const action = target[event.key];
    if (action === undefined) return;
    if (event.key === "Escape" && document.querySelector("dialog[open]") !== null) return;
    event.preventDefault();
    action();
  };
  onMount(() => {
    document.addEventListener("keydown", onKey);
    focusBarcode();
  });
  onCleanup(() => document.removeEventListener("keydown", onKey));

  return (
    <div class="sale-screen">
      <section class="sale-left" aria-label="Sale">
        <div class="scan-bar">
          <form class="barcode" onSubmit={submitBarcode} aria-busy={scansInFlight() > 0}>
            <label for="barcode">Barcode</label>
            <input
              id="barcode"
              ref={barcodeInput}
              inputmode="numeric"
              autocomplete="off"
              aria-keyshortcuts="F2"
              value={barcode()}
              onInput={(e) => setBarcode(e.currentTarget.value)}
            />
          </form>
          <ProductSearch
            id="product-search"
            label="Product search"
            actionLabel="Add"
            inputRef={(el) => {
              searchInput = el;
            }}
            onPick={(hit) => {
              void run(() => commands.addProduct(hit.id)).then(focusBarcode);
            }}
          />
        </div>
        <Show
          when={view.sale === null && view.lastReceipt}
          fallback={
            <div class="lines-wrap">
              <Show when={view.sale}>
                {(sale) => (
                  <p class="sale-meta">
                    Receipt {sale().receiptNumber}
                    <Show when={sale().customer}>{(c) => <> · Customer {c().name}</>}</Show>
                  </p>
                )}
              </Show>
              <LinesTable />
            </div>
          }
        >
          {(receipt) => (
            <div class="receipt-wrap">
              <Receipt receipt={receipt()} locale={props.locale} />
              <div class="row no-print">
                <button type="button" onClick={() => window.print()}>
                  Print receipt
                </button>
                <span class="muted">Scan the next item to start a new sale.</span>
              </div>
            </div>
          )}
        </Show>
      </section>
      <aside class="sale-right">
        <TotalsPanel />
        <Switch>
          <Match when={panel() === "tender"}>
            <TenderPanel
              amountRef={(el) => {
                amountInput = el;
              }}
              completeRef={(el) => {
                completeButton = el;
              }}
            />
          </Match>
          <Match when={panel() === "discount"}>
            <DiscountPanel onDone={backToPayment} />
          </Match>
          <Match when={panel() === "customer"}>
            <CustomerPanel onDone={backToPayment} />
          </Match>
          <Match when={panel() === "return"}>
            <ReturnPanel onDone={backToPayment} />
          </Match>
          <Match when={panel() === "void"}>
            <VoidSalePanel onDone={backToPayment} />
          </Match>
          <Match when={panel() === "shift"}>
            <ShiftPanel onDone={backToPayment} />
          </Match>
          <Match when={panel() === "x-report"}>
            <XReportPanel locale={props.locale} />
          </Match>
          <Match when={panel() === "stock"}>
            <StockPanel />
          </Match>
        </Switch>
      </aside>
      <OperationGrid active={panel()} onOpen={setChosen} />
      <footer class="shortcuts">
        {SALE_SHORTCUTS.map((s) => (
          <span>
            <kbd>{s.key}</kbd> {s.action}
          </span>
        ))}
      </footer>
    </div>
  );
}
