import { Show } from "solid-js";
import { useRegister } from "./register-context.ts";

/** Subtotal, discount, tax, total, paid, due and change of the open sale. */
export function TotalsPanel() {
  const { view, money } = useRegister();
  const m = (amount: number) => money().format(amount);
  return (
    <Show when={view.sale}>
      {(sale) => (
        <dl class="totals" aria-label="Totals">
          <dt>Subtotal</dt>
          <dd>{m(sale().subtotal)}</dd>
          <dt>Discount</dt>
          <dd>{m(sale().discount)}</dd>
          <dt>Tax</dt>
          <dd>{m(sale().tax)}</dd>
          <dt class="total">Total</dt>
          <dd class="total">{m(sale().total)}</dd>
          <dt>Paid</dt>
          <dd>{m(sale().paid)}</dd>
          <dt class="due">Due</dt>
          <dd class="due">{m(sale().due)}</dd>
          <dt>Change</dt>
          <dd>{m(sale().changeDue)}</dd>
        </dl>
      )}
    </Show>
  );
}
