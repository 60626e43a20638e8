import { createSignal, Show } from "solid-js";
import { focusOnMount } from "./focus-on-mount.ts";
import { useRegister } from "./register-context.ts";

/** Sign-in, and unlocking a locked register (the same operator or a manager signs in again). */
export function SignInScreen() {
  const { commands, run, view } = useRegister();
  const [operatorId, setOperatorId] = createSignal(view.operator?.id ?? "");
  const [pin, setPin] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    await run(() => commands.signIn(operatorId().trim(), pin()));
    setPin("");
    setBusy(false);
  };
  return (
    <form class="card narrow" onSubmit={submit}>
      <Show
        when={view.locked && view.operator}
        fallback={
          <>
            <h1>Sign in</h1>
            <p>
              {view.storeName} · Register {view.registerId}
            </p>
          </>
        }
      >
        {(operator) => (
          <>
            <h1>Register locked</h1>
            <p>Locked by {operator().name}. Sign in to continue.</p>
          </>
        )}
      </Show>
      <label for="operator-id">Operator ID</label>
      <input
        id="operator-id"
        autocomplete="username"
        ref={focusOnMount}
        value={operatorId()}
        onInput={(e) => setOperatorId(e.currentTarget.value)}
      />
      <label for="operator-pin">PIN</label>
      <input
        id="operator-pin"
        type="password"
        inputmode="numeric"
        autocomplete="current-password"
        value={pin()}
        onInput={(e) => setPin(e.currentTarget.value)}
      />
      <button type="submit" class="primary" disabled={busy()}>
        Sign in
      </button>
    </form>
  );
}
