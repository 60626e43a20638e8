import { createEffect, createMemo, createSignal, Match, on, Show, Switch } from "solid-js";
import type { RegisterCommands } from "../../replication/register/register-commands.ts";
import { ActivationScreen } from "./activation-screen.tsx";
import { AlertRegion } from "./alert-region.tsx";
import { DevPanel } from "./dev-panel.tsx";
import { createMoneyFormat } from "./money-format.ts";
import { ProvisioningScreen } from "./provisioning-screen.tsx";
import { RegisterContext, type RegisterContextValue } from "./register-context.ts";
import { useRegisterView } from "./register-view-store.ts";
import { SaleScreen } from "./sale-screen.tsx";
import { SignInScreen } from "./sign-in-screen.tsx";
import { StatusHeader } from "./status-header.tsx";

export type RegisterAppProps = {
  readonly commands: RegisterCommands;
  /** `?dev=1`: show the developer panel (Cut network / Heal network). */
  readonly devTools: boolean;
  /** BCP 47 locale for money and times; the browser's when absent. */
  readonly locale?: string;
};

/**
 * The cashier's app. It reads only `commands.view()` snapshots and calls only `commands`, so the
 * same screens run against the browser register session or any other implementation.
 */
export function RegisterApp(props: RegisterAppProps) {
  const view = useRegisterView(props.commands);
  const money = createMemo(() => createMoneyFormat(view.currency, props.locale));
  const [localMessage, setLocalMessage] = createSignal<string | null>(null);
  createEffect(
    on(
      () => view.message,
      () => setLocalMessage(null),
      { defer: true },
    ),
  );

  let barcodeFocus: (() => void) | undefined;
  const context: RegisterContextValue & { setBarcodeFocus: (focus: () => void) => void } = {
    commands: props.commands,
    view,
    money,
    async run(action) {
      try {
        const result = await action();
        if (result.ok) {
          setLocalMessage(null);
          return true;
        }
        setLocalMessage(result.message);
        return false;
      } catch (error) {
        setLocalMessage(error instanceof Error ? error.message : String(error));
        return false;
      }
    },
    alert: (message) => setLocalMessage(message),
    focusBarcode: () => barcodeFocus?.(),
    setBarcodeFocus: (focus) => {
      barcodeFocus = focus;
    },
  };

  return (
    <RegisterContext.Provider value={context}>
      <div class="register-app">
        <StatusHeader locale={props.locale} />
        <Show when={props.devTools}>
          <DevPanel />
        </Show>
        <AlertRegion message={localMessage() ?? view.message} />
        <main class="register-main">
          <Switch>
            <Match when={!view.activated}>
              <ActivationScreen />
            </Match>
            <Match when={view.operator === null || view.locked}>
              <SignInScreen />
            </Match>
            <Match when={!view.provisioning.ready}>
              <ProvisioningScreen />
            </Match>
            <Match when={true}>
              <SaleScreen
                onBarcodeReady={(focus) => context.setBarcodeFocus(focus)}
                locale={props.locale}
              />
            </Match>
          </Switch>
        </main>
      </div>
    </RegisterContext.Provider>
  );
}
