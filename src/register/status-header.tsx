import { createSignal, Show } from "solid-js";
import { modeLabel } from "./connection-mode.ts";
import { ConnectionStatusDialog } from "./connection-status-dialog.tsx";
import { useRegister } from "./register-context.ts";

/**
 * Always visible: store, register, operator and the connection mode with the number of sales
 * still to upload. Clicking the mode opens the Connection status window.
 */
export function StatusHeader(props: { readonly locale: string | undefined }) {
  const { view } = useRegister();
  const [open, setOpen] = createSignal(false);
  return (
    <header class="status-header">
      <div class="identity">
        <strong>{view.storeName}</strong>
        <span>Register {view.registerId}</span>
        <Show when={view.operator}>{(operator) => <span>{operator().name}</span>}</Show>
      </div>
      <div role="status" class="connection" data-mode={view.connection.mode}>
        <button
          type="button"
          class="connection-button"
          aria-haspopup="dialog"
          onClick={() => setOpen(true)}
        >
          <span class="mode-dot" aria-hidden="true" />
          <span class="mode-label">{modeLabel(view.connection.mode)}</span>
          <span class="pending">{view.connection.pendingUploadSales} pending</span>
        </button>
      </div>
      <ConnectionStatusDialog open={open()} onClose={() => setOpen(false)} locale={props.locale} />
    </header>
  );
}
