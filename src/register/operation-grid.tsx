import { Show } from "solid-js";
import { onlineOnlyReason } from "./connection-mode.ts";
import { useRegister } from "./register-context.ts";

/** The side panels the operation buttons open. */
export const SALE_PANELS = [
  "tender",
  "discount",
  "customer",
  "return",
  "void",
  "shift",
  "x-report",
  "stock",
] as const;
export type SalePanel = (typeof SALE_PANELS)[number];

/**
 * The register's button grid. Operation 917 "Database connection status" reads Disconnect while
 * connected and Connect while disconnected.
 */
export function OperationGrid(props: {
  readonly active: SalePanel;
  readonly onOpen: (panel: SalePanel) => void;
}) {
  const { view, commands, run, focusBarcode } = useRegister();
  const panelButton = (panel: SalePanel, label: string, disabled = false) => (
    <button
      type="button"
      aria-pressed={props.active === panel}
      disabled={disabled}
      onClick={() => props.onOpen(panel)}
    >
      {label}
    </button>
  );
  const stockReason = () => onlineOnlyReason(view.connection.mode);
  return (
    <nav class="operation-grid" aria-label="Operations">
      <button
        type="button"
        class="op-917"
        title="Database connection status (917)"
        onClick={() => run(() => commands.operation917()).then(focusBarcode)}
      >
        {view.operation917Label}
      </button>
      {panelButton("tender", "Payment")}
      {panelButton("discount", "Discount", view.sale === null)}
      {panelButton("customer", "Customer")}
      {panelButton("return", "Return")}
      {panelButton("void", "Void sale", view.sale === null)}
      {panelButton("shift", "Shift")}
      {panelButton("x-report", "X report")}
      <button
        type="button"
        aria-pressed={props.active === "stock"}
        disabled={stockReason() !== null}
        title={stockReason() ?? "Stock of a product in the other stores"}
        onClick={() => props.onOpen("stock")}
      >
        Other stores' stock
      </button>
      <button type="button" onClick={() => run(() => commands.lock())}>
        Lock
      </button>
      <button type="button" onClick={() => run(() => commands.signOut())}>
        Sign out
      </button>
      <Show when={stockReason()}>
        {(reason) => <p class="reason grid-reason">Other stores' stock: {reason()}</p>}
      </Show>
    </nav>
  );
}
