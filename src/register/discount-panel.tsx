import { createSignal, For } from "solid-js";
import { focusOnMount } from "./focus-on-mount.ts";
import { ManagerApproval, managerFields } from "./manager-approval.tsx";
import { percentToBasisPoints } from "./percent-input.ts";
import { useRegister } from "./register-context.ts";

/**
 * A percent or amount discount on the whole sale or one line. Percent is typed as a percentage
 * ("12.5") and sent in basis points; an amount is sent in minor units.
 */
export function DiscountPanel(props: { readonly onDone: () => void }) {
  const { view, commands, run, money, alert } = useRegister();
  const [target, setTarget] = createSignal("");
  const [kind, setKind] = createSignal<"percent" | "amount">("percent");
  const [valueText, setValueText] = createSignal("");
  const [managerId, setManagerId] = createSignal("");
  const [managerPin, setManagerPin] = createSignal("");

  const apply = async (event: SubmitEvent) => {
    event.preventDefault();
    const text = valueText().trim();
    const value = kind() === "percent" ? percentToBasisPoints(text) : money().parse(text);
    if (value === null || value <= 0) {
      alert(`"${text}" is not a discount. Type a percentage like 10 or an amount like 2.50.`);
      return;
    }
    const ok = await run(() =>
      commands.applyDiscount({
        lineId: target() === "" ? null : target(),
        kind: kind(),
        value,
        ...managerFields(managerId(), managerPin()),
      }),
    );
    if (ok) props.onDone();
  };

  return (
    <form class="panel" aria-labelledby="discount-title" onSubmit={apply}>
      <h2 id="discount-title">Discount</h2>
      <label for="discount-target">Applies to</label>
      <select
        id="discount-target"
        value={target()}
        onChange={(e) => setTarget(e.currentTarget.value)}
      >
        <option value="">Whole sale</option>
        <For each={(view.sale?.lines ?? []).filter((l) => !l.voided && !l.isReturn)}>
          {(line) => <option value={line.lineId}>{line.name}</option>}
        </For>
      </select>
      <label for="discount-kind">Kind</label>
      <select
        id="discount-kind"
        value={kind()}
        onChange={(e) => setKind(e.currentTarget.value === "amount" ? "amount" : "percent")}
      >
        <option value="percent">Percent</option>
        <option value="amount">Amount</option>
      </select>
      <label for="discount-value">{kind() === "percent" ? "Percent" : "Discount amount"}</label>
      <input
        id="discount-value"
        inputmode="decimal"
        autocomplete="off"
        ref={focusOnMount}
        value={valueText()}
        onInput={(e) => setValueText(e.currentTarget.value)}
      />
      <ManagerApproval
        idPrefix="discount"
        managerId={managerId()}
        managerPin={managerPin()}
        onManagerId={setManagerId}
        onManagerPin={setManagerPin}
      />
      <button type="submit" class="primary" disabled={view.sale === null}>
        Apply discount
      </button>
    </form>
  );
}
