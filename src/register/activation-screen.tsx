import { createSignal } from "solid-js";
import { focusOnMount } from "./focus-on-mount.ts";
import { useRegister } from "./register-context.ts";

/** First start of this register: the one-time activation code from the back office. */
export function ActivationScreen() {
  const { commands, view, run } = useRegister();
  const [register, setRegister] = createSignal(view.registerId);
  const [code, setCode] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    await run(() => commands.activate(code().trim(), register().trim()));
    setBusy(false);
  };
  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>Activate this register</h1>
      <p>Enter this register's ID and the one-time activation code from the back office.</p>
      <label for="activation-register">Register</label>
      <input
        id="activation-register"
        autocomplete="off"
        value={register()}
        onInput={(e) => setRegister(e.currentTarget.value)}
      />
      <label for="activation-code">Activation code</label>
      <input
        id="activation-code"
        autocomplete="off"
        ref={focusOnMount}
        value={code()}
        onInput={(e) => setCode(e.currentTarget.value)}
      />
      <button
        type="submit"
        class="primary"
        disabled={busy() || code().trim() === "" || register().trim() === ""}
      >
        Activate
      </button>
    </form>
  );
}
