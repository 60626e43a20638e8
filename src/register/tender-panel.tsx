import { createSignal, For, Show } from "solid-js";
import type { PaymentView } from "../../replication/register/register-view.ts";
import { onlineOnlyReason } from "./connection-mode.ts";
import { useRegister } from "./register-context.ts";

type TenderKind = PaymentView["tenderKind"];

const TENDER_NAMES = {
  cash: "Cash",
  card: "Card",
  "gift-card": "Gift card",
  "customer-account": "Customer account",
} as const satisfies Record<TenderKind, string>;

/**
 * Payment: type an amount and press a tender; an empty Amount pays what is still due, so a split
 * tender is "part by one tender, then the rest by another". Enter in Amount pays cash.
 */
export function TenderPanel(props: {
  readonly amountRef: (input: HTMLInputElement) => void;
  readonly completeRef: (button: HTMLButtonElement) => void;
}) {
  const { view, commands, run, money, alert, focusBarcode } = useRegister();
  const [amountText, setAmountText] = createSignal("");
  let amountInput: HTMLInputElement | undefined;
  let completeButton: HTMLButtonElement | undefined;
  const offlineReason = () => onlineOnlyReason(view.connection.mode);

  const pay = async (kind: TenderKind) => {
    const sale = view.sale;
    if (sale === null) {
      alert("Scan an item first: there is no sale to pay.");
      return;
    }
    const typed = amountText().trim();
    const amount = typed === "" ? sale.due : money().parse(typed);
    if (amount === null || amount <= 0) {
      alert(
        `"${typed}" is not an amount. Type it like ${money().format(1250)} without the symbol.`,
      );
      return;
    }
    if (await run(() => commands.pay(kind, amount))) {
      setAmountText("");
      if ((view.sale?.due ?? 0) === 0) completeButton?.focus();
      else amountInput?.focus();
    }
  };

  const complete = async () => {
    if (await run(() => commands.completeSale())) focusBarcode();
  };

  return (
    <section class="panel tender" aria-labelledby="tender-title">
      <h2 id="tender-title">Payment</h2>
      <label for="tender-amount">Amount</label>
      <input
        id="tender-amount"
        ref={(el) => {
          amountInput = el;
          props.amountRef(el);
        }}
        inputmode="decimal"
        autocomplete="off"
        placeholder={view.sale ? money().format(view.sale.due) : ""}
        value={amountText()}
        onInput={(e) => setAmountText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            void pay("cash");
          }
        }}
      />
      <div class="tender-buttons">
        <button type="button" class="primary" onClick={() => pay("cash")}>
          Cash
        </button>
        <button type="button" class="primary" onClick={() => pay("card")}>
          Card
        </button>
        <button type="button" disabled={offlineReason() !== null} onClick={() => pay("gift-card")}>
          Gift card
        </button>
        <button
          type="button"
          disabled={offlineReason() !== null}
          onClick={() => pay("customer-account")}
        >
          Customer account
        </button>
      </div>
      <Show when={offlineReason()}>
        {(reason) => <p class="reason">Gift card and Customer account: {reason()}</p>}
      </Show>
      <Show when={(view.sale?.payments.length ?? 0) > 0}>
        <ul class="payments" aria-label="Payments">
          <For each={view.sale?.payments ?? []}>
            {(payment) => (
              <li>
                <span>{TENDER_NAMES[payment.tenderKind]}</span>
                <span class="num">{money().format(payment.amount)}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <button
        type="button"
        class="complete"
        ref={(el) => {
          completeButton = el;
          props.completeRef(el);
        }}
        disabled={view.sale === null}
        onClick={complete}
      >
        Complete sale
      </button>
    </section>
  );
}
