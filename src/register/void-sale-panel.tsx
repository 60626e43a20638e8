import { createSignal } from "solid-js";
import { focusOnMount } from "./focus-on-mount.ts";
import { ManagerApproval, managerFields } from "./manager-approval.tsx";
import { useRegister } from "./register-context.ts";

/** Voids the whole open sale with a reason; a manager approves when the cashier may not. */
export function VoidSalePanel(props: { readonly onDone: () => void }) {
  const { view, commands, run, alert } = useRegister();
  const [reason, setReason] = createSignal("");
  const [managerId, setManagerId] = createSignal("");
  const [managerPin, setManagerPin] = createSignal("");
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (reason().trim() === "") {
      alert("Give a reason for voiding the sale.");
      return;
    }
    const manager = managerFields(managerId(), managerPin());
    const ok = await run(() =>
      commands.voidSale(reason().trim(), manager.managerId, manager.managerPin),
    );
    if (ok) props.onDone();
  };
  return (
    <form class="panel" aria-labelledby="void-title" onSubmit={submit}>
      <h2 id="void-title">Void sale</h2>
      <label for="void-reason">Reason</label>
      <input
        id="void-reason"
        autocomplete="off"
        ref={focusOnMount}
        value={reason()}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      <ManagerApproval
        idPrefix="void"
        managerId={managerId()}
        managerPin={managerPin()}
        onManagerId={setManagerId}
        onManagerPin={setManagerPin}
      />
      <button type="submit" class="danger" disabled={view.sale === null}>
        Void this sale
      </button>
    </form>
  );
}
