/**
 * A typed percentage to basis points, the unit discounts are recorded in: "12.5" -> 1250. Null
 * when it is not a percentage from 0 to 100 with at most two decimals.
 */
export function percentToBasisPoints(text: string): number | null {
  const match = /^\s*(\d{1,3})(?:[.,](\d{0,2}))?\s*%?\s*$/.exec(text);
  if (match === null) return null;
  const bp = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return bp > 10_000 ? null : bp;
}
