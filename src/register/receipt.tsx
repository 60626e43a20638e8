import { For, Show } from "solid-js";
import type { ReceiptView } from "../../replication/register/register-view.ts";
import { useRegister } from "./register-context.ts";

const TENDER_NAMES = {
  cash: "Cash",
  card: "Card",
  "gift-card": "Gift card",
  "customer-account": "Customer account",
} as const;

/**
 * The completed sale's receipt. The print stylesheet prints this element alone, so Print gives
 * a receipt and not the register screen.
 */
export function Receipt(props: {
  readonly receipt: ReceiptView;
  readonly locale: string | undefined;
}) {
  const { money } = useRegister();
  const m = (amount: number) => money().format(amount);
  const r = () => props.receipt;
  return (
    <article class="receipt" aria-label="Receipt">
      <header>
        <strong>{r().storeName}</strong>
        <div>Receipt {r().receiptNumber}</div>
        <div>
          {new Intl.DateTimeFormat(props.locale, {
            dateStyle: "medium",
            timeStyle: "short",
          }).format(r().completedAt)}
        </div>
        <div>
          Register {r().registerId} · {r().operatorName}
        </div>
        <Show when={r().customer}>{(c) => <div>Customer: {c().name}</div>}</Show>
      </header>
      <table>
        <tbody>
          <For each={r().lines.filter((line) => !line.voided)}>
            {(line) => (
              <tr>
                <td>
                  {line.quantity} × {line.name}
                  <Show when={line.isReturn}> (return)</Show>
                </td>
                <td class="num">{m(line.amount)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <dl class="receipt-totals">
        <dt>Subtotal</dt>
        <dd>{m(r().subtotal)}</dd>
        <Show when={r().discount !== 0}>
          <dt>Discount</dt>
          <dd>{m(r().discount)}</dd>
        </Show>
        <dt>Tax</dt>
        <dd>{m(r().tax)}</dd>
        <dt class="total">Total</dt>
        <dd class="total">{m(r().total)}</dd>
        <For each={r().payments}>
          {(p) => (
            <>
              <dt>{TENDER_NAMES[p.tenderKind]}</dt>
              <dd>{m(p.amount)}</dd>
            </>
          )}
        </For>
        <dt>Change</dt>
        <dd>{m(r().changeDue)}</dd>
      </dl>
      <footer>Thank you for shopping with us.</footer>
    </article>
  );
}
