/**
 * The business day an event belongs to, as `YYYY-MM-DD`. One sales log exists per register per
 * business day. The day is the calendar date at the store's UTC offset (minutes east of UTC), so
 * every register of a store and the retail server agree on it without talking to each other.
 */
export function businessDayOf(at: number, utcOffsetMinutes = 0): string {
  const shifted = new Date(at + utcOffsetMinutes * 60_000);
  const year = shifted.getUTCFullYear();
  const month = String(shifted.getUTCMonth() + 1).padStart(2, "0");
  const day = String(shifted.getUTCDate()).padStart(2, "0");
  return `${year}-${month}-${day}`;
}

/** The business day `days` after (or before, when negative) `businessDay`. */
export function addBusinessDays(businessDay: string, days: number): string {
  const at = Date.parse(`${businessDay}T00:00:00Z`);
  if (Number.isNaN(at)) throw new RangeError(`${businessDay} is not a YYYY-MM-DD business day`);
  return businessDayOf(at + days * 86_400_000);
}
