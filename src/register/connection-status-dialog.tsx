import { createEffect, Show } from "solid-js";
import { modeLabel } from "./connection-mode.ts";
import { useRegister } from "./register-context.ts";

/**
 * The Connection status window: the result of the last synchronisation with the offline
 * database (when, what was downloaded and uploaded, what is pending, the last error).
 */
export function ConnectionStatusDialog(props: {
  readonly open: boolean;
  readonly onClose: () => void;
  readonly locale: string | undefined;
}) {
  const { view, commands, run } = useRegister();
  let dialog: HTMLDialogElement | undefined;
  createEffect(() => {
    if (dialog === undefined) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  });
  const c = () => view.connection;
  const time = (at: number) =>
    new Intl.DateTimeFormat(props.locale, { dateStyle: "short", timeStyle: "medium" }).format(at);
  return (
    <dialog
      ref={dialog}
      class="connection-dialog"
      aria-labelledby="connection-status-title"
      onClose={() => props.onClose()}
    >
      <h2 id="connection-status-title">Connection status</h2>
      <dl class="facts">
        <dt>Mode</dt>
        <dd>{modeLabel(c().mode)}</dd>
        <dt>Last download</dt>
        <dd>
          <Show when={c().lastDownload} fallback="None yet">
            {(d) => (
              <>
                {time(d().at)}: {d().packages} packages, {d().rows.toLocaleString()} rows,{" "}
                {d().result}
                <Show when={d().detail}> ({d().detail})</Show>
              </>
            )}
          </Show>
        </dd>
        <dt>Last upload</dt>
        <dd>
          <Show when={c().lastUpload} fallback="None yet">
            {(u) => (
              <>
                {time(u().at)}: {u().events} events, {u().result}
                <Show when={u().detail}> ({u().detail})</Show>
              </>
            )}
          </Show>
        </dd>
        <dt>Pending uploads</dt>
        <dd>
          {c().pendingUploadSales} sales ({c().pendingUploadEvents} events)
        </dd>
        <dt>Pending downloads</dt>
        <dd>{c().pendingDownloads} packages</dd>
        <dt>Master data package</dt>
        <dd>
          {c().appliedPackageSeq} applied, latest {c().latestPackageSeq}
        </dd>
        <dt>Last error</dt>
        <dd>{c().lastError ?? "None"}</dd>
      </dl>
      <Show when={c().storagePersisted === false}>
        <p class="warning">
          This browser refused persistent storage: it may evict the offline database. Upload pending
          sales before clearing site data, and allow storage for this site.
        </p>
      </Show>
      <Show when={view.message}>{(message) => <p class="reason">{message()}</p>}</Show>
      <div class="dialog-actions">
        <button type="button" class="primary" onClick={() => run(() => commands.syncNow())}>
          Sync now
        </button>
        <button type="button" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
