import { onCleanup } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import type { RegisterCommands } from "../../replication/register/register-commands.ts";
import type { RegisterView } from "../../replication/register/register-view.ts";

/**
 * The session's latest view snapshot as a Solid store. Each new snapshot is reconciled into the
 * store (sale lines matched by `lineId`) so only what changed re-renders, and an input the
 * cashier is typing into keeps its focus. Must be called inside a component or root.
 */
export function useRegisterView(commands: RegisterCommands): RegisterView {
  const [view, setView] = createStore<RegisterView>(structuredClone(commands.view()));
  const unsubscribe = commands.subscribe((next) => {
    setView(reconcile(structuredClone(next), { key: "lineId" }));
  });
  onCleanup(unsubscribe);
  return view;
}
