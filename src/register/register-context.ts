import { createContext, useContext } from "solid-js";
import type {
  ActionResult,
  RegisterCommands,
} from "../../replication/register/register-commands.ts";
import type { RegisterView } from "../../replication/register/register-view.ts";
import type { MoneyFormat } from "./money-format.ts";

/** What every screen of the register app reads: the session, its view and shared helpers. */
export type RegisterContextValue = {
  readonly commands: RegisterCommands;
  readonly view: RegisterView;
  /** Formatter for the store's currency; follows `view.currency`. */
  readonly money: () => MoneyFormat;
  /**
   * Runs a cashier action and reports a refusal or failure in the alert region. Resolves true
   * when the action succeeded.
   */
  readonly run: (action: () => Promise<ActionResult>) => Promise<boolean>;
  /** Shows a message in the alert region (e.g. an amount that is not a number). */
  readonly alert: (message: string) => void;
  /** Puts the keyboard focus back on the Barcode input, the cashier's home position. */
  readonly focusBarcode: () => void;
};

export const RegisterContext = createContext<RegisterContextValue>();

/** The register context; throws when a screen is rendered outside the app. */
export function useRegister(): RegisterContextValue {
  const value = useContext(RegisterContext);
  if (value === undefined)
    throw new Error("Register screens must be rendered inside <RegisterApp>.");
  return value;
}
