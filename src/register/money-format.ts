import type { Money } from "../../domain/money.ts";

/** Formats and parses amounts of one currency for the cashier's screen. */
export type MoneyFormat = {
  readonly currency: string;
  /** Digits after the decimal separator: 2 for EUR, 0 for JPY. */
  readonly fractionDigits: number;
  /** Minor units to the localised amount with currency, e.g. 1250 -> "€12.50". */
  format(amount: Money): string;
  /**
   * What the cashier typed ("12.5", "12,50", "1250") to minor units, or null when it is not an
   * amount. Typing never goes through floating point: "0.1" is exactly 10 minor units.
   */
  parse(text: string): Money | null;
};

/**
 * Builds the formatter for the store's currency. Amounts are always integers of minor units
 * (domain/money.ts); only this edge turns them into text and back.
 */
export function createMoneyFormat(currency: string, locale?: string): MoneyFormat {
  const formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
  const fractionDigits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10 ** fractionDigits;
  return {
    currency,
    fractionDigits,
    format(amount) {
      return formatter.format(amount / scale);
    },
    parse(text) {
      const match = /^\s*(-)?\s*(\d+)?(?:[.,](\d*))?\s*$/.exec(text);
      if (match === null) return null;
      const [, sign, whole = "", fraction = ""] = match;
      if (whole === "" && fraction === "") return null;
      if (fraction.length > fractionDigits) return null;
      const minor =
        Number(whole || "0") * scale + Number(fraction.padEnd(fractionDigits, "0") || "0");
      if (!Number.isSafeInteger(minor)) return null;
      return sign === "-" ? -minor : minor;
    },
  };
}
