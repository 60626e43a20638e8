import { createSignal, Show } from "solid-js";
import { focusOnMount } from "./focus-on-mount.ts";
import { useRegister } from "./register-context.ts";

/** Opens a shift with its float; declares the counted cash and closes it. */
export function ShiftPanel(props: { readonly onDone: () => void }) {
  const { view, commands, run, money, alert } = useRegister();
  const [floatText, setFloatText] = createSignal("");
  const [countedText, setCountedText] = createSignal("");
  const amount = (text: string): number | null => {
    const value = money().parse(text);
    if (value === null || value < 0) {
      alert(
        `"${text}" is not an amount. Type it like ${money().format(10000)} without the symbol.`,
      );
      return null;
    }
    return value;
  };
  const open = async (event: SubmitEvent) => {
    event.preventDefault();
    const value = amount(floatText());
    if (value !== null && (await run(() => commands.openShift(value)))) {
      setFloatText("");
      props.onDone();
    }
  };
  const declare = async () => {
    const value = amount(countedText());
    if (value !== null && (await run(() => commands.declareCash(value)))) setCountedText("");
  };
  const close = async () => {
    if (await run(() => commands.closeShift())) props.onDone();
  };
  return (
    <section class="panel" aria-labelledby="shift-title">
      <h2 id="shift-title">Shift</h2>
      <Show
        when={view.shiftOpen}
        fallback={
          <form onSubmit={open}>
            <p>No shift is open. Count the drawer and open a shift to sell.</p>
            <label for="shift-float">Opening float</label>
            <input
              id="shift-float"
              inputmode="decimal"
              autocomplete="off"
              ref={focusOnMount}
              value={floatText()}
              onInput={(e) => setFloatText(e.currentTarget.value)}
            />
            <button type="submit" class="primary">
              Open shift
            </button>
          </form>
        }
      >
        <label for="shift-counted">Counted cash</label>
        <input
          id="shift-counted"
          inputmode="decimal"
          autocomplete="off"
          value={countedText()}
          onInput={(e) => setCountedText(e.currentTarget.value)}
        />
        <div class="row">
          <button type="button" onClick={declare}>
            Declare cash
          </button>
          <button type="button" class="danger" onClick={close} disabled={view.sale !== null}>
            Close shift
          </button>
        </div>
        <Show when={view.sale !== null}>
          <p class="reason">Finish or void the open sale before closing the shift.</p>
        </Show>
      </Show>
    </section>
  );
}
