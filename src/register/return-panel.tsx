import { createSignal, Show } from "solid-js";
import type { ProductHit } from "../../replication/register/register-commands.ts";
import { isForeignReceipt, onlineOnlyReason } from "./connection-mode.ts";
import { focusOnMount } from "./focus-on-mount.ts";
import { ManagerApproval, managerFields } from "./manager-approval.tsx";
import { ProductSearch } from "./product-search.tsx";
import { useRegister } from "./register-context.ts";

/**
 * A return line: with the original receipt number, or blind (no receipt) with a manager.
 * Receipts issued elsewhere are held only by the server, so they cannot be returned offline.
 */
export function ReturnPanel(props: { readonly onDone: () => void }) {
  const { view, commands, run, money, alert } = useRegister();
  const [receipt, setReceipt] = createSignal("");
  const [product, setProduct] = createSignal<ProductHit | null>(null);
  const [quantityText, setQuantityText] = createSignal("1");
  const [managerId, setManagerId] = createSignal("");
  const [managerPin, setManagerPin] = createSignal("");

  const offlineReason = () => {
    const number = receipt().trim();
    if (number === "" || !isForeignReceipt(number, view.storeId, view.registerId)) return null;
    const reason = onlineOnlyReason(view.connection.mode);
    return reason === null ? null : `Returns of receipts from other registers: ${reason}`;
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const picked = product();
    if (picked === null) {
      alert("Choose the returned product first.");
      return;
    }
    const quantity = Number(quantityText());
    if (!Number.isInteger(quantity) || quantity <= 0) {
      alert(`"${quantityText()}" is not a quantity. Type a whole number like 1.`);
      return;
    }
    const number = receipt().trim();
    const ok = await run(() =>
      commands.addReturnLine({
        productId: picked.id,
        quantity,
        originalReceipt: number === "" ? null : number,
        ...managerFields(managerId(), managerPin()),
      }),
    );
    if (ok) props.onDone();
  };

  return (
    <form class="panel" aria-labelledby="return-title" onSubmit={submit}>
      <h2 id="return-title">Return</h2>
      <label for="return-receipt">Original receipt number</label>
      <input
        id="return-receipt"
        autocomplete="off"
        ref={focusOnMount}
        placeholder="Leave empty for a return without receipt"
        value={receipt()}
        onInput={(e) => setReceipt(e.currentTarget.value)}
      />
      <ProductSearch
        id="return-product"
        label="Returned product"
        actionLabel="Return"
        onPick={setProduct}
      />
      <Show when={product()}>
        {(p) => (
          <p>
            Returning: {p().name} ({money().format(p().price)})
          </p>
        )}
      </Show>
      <label for="return-quantity">Return quantity</label>
      <input
        id="return-quantity"
        type="number"
        min="1"
        step="1"
        value={quantityText()}
        onInput={(e) => setQuantityText(e.currentTarget.value)}
      />
      <ManagerApproval
        idPrefix="return"
        managerId={managerId()}
        managerPin={managerPin()}
        onManagerId={setManagerId}
        onManagerPin={setManagerPin}
      />
      <Show when={offlineReason()}>{(reason) => <p class="reason">{reason()}</p>}</Show>
      <button type="submit" class="primary" disabled={offlineReason() !== null}>
        Add return line
      </button>
    </form>
  );
}
