import { For, Show } from "solid-js";
import type { SaleLineView } from "../../replication/register/register-view.ts";
import { useRegister } from "./register-context.ts";

/** The open sale's lines: quantity changes on Enter or leaving the field; Void removes a line. */
export function LinesTable() {
  const { view, commands, run, money, focusBarcode } = useRegister();
  const lines = () => view.sale?.lines ?? [];
  const commitQuantity = async (line: SaleLineView, input: HTMLInputElement) => {
    const quantity = Number(input.value);
    if (!Number.isInteger(quantity) || quantity === line.quantity) {
      input.value = String(line.quantity);
      return;
    }
    if (!(await run(() => commands.changeQuantity(line.lineId, quantity)))) {
      input.value = String(line.quantity);
    }
  };
  return (
    <table class="lines">
      <caption class="visually-hidden">Sale lines</caption>
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col" class="num">
            Qty
          </th>
          <th scope="col" class="num">
            Unit price
          </th>
          <th scope="col" class="num">
            Amount
          </th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        <Show when={lines().length === 0}>
          <tr>
            <td colSpan={5} class="empty">
              Scan an item to start a sale.
            </td>
          </tr>
        </Show>
        <For each={lines()}>
          {(line) => (
            <tr classList={{ voided: line.voided, return: line.isReturn }}>
              <td>
                {line.name}
                <Show when={line.isReturn}>
                  <span class="tag">Return</span>
                </Show>
                <Show when={line.voided}>
                  <span class="tag">Voided</span>
                </Show>
              </td>
              <td class="num">
                <Show when={!line.voided && !line.isReturn} fallback={line.quantity}>
                  <input
                    class="qty"
                    type="number"
                    min="1"
                    step="1"
                    aria-label={`Quantity for ${line.name}`}
                    value={line.quantity}
                    onKeyDown={(e) => {
                      if (e.key === "Enter") {
                        e.preventDefault();
                        void commitQuantity(line, e.currentTarget).then(focusBarcode);
                      }
                    }}
                    onChange={(e) => void commitQuantity(line, e.currentTarget)}
                  />
                </Show>
              </td>
              <td class="num">{money().format(line.unitPrice)}</td>
              <td class="num">{money().format(line.amount)}</td>
              <td>
                <Show when={!line.voided}>
                  <button
                    type="button"
                    class="small"
                    aria-label={`Void line ${line.name}`}
                    onClick={() => run(() => commands.voidLine(line.lineId)).then(focusBarcode)}
                  >
                    Void
                  </button>
                </Show>
              </td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}
