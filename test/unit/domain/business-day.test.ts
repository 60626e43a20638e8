import { describe, expect, it } from "vitest";
import { addBusinessDays, businessDayOf } from "../../../domain/business-day.ts";

describe("business day", () => {
  it("is the calendar date at the store's UTC offset", () => {
    const at = Date.parse("2026-11-25T23:30:00Z");
    expect(businessDayOf(at)).toBe("2026-11-25");
    expect(businessDayOf(at, 60)).toBe("2026-11-26");
    expect(businessDayOf(at, -24 * 60)).toBe("2026-11-24");
  });

  it("steps across month and year ends", () => {
    expect(addBusinessDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addBusinessDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(() => addBusinessDays("yesterday", 1)).toThrow(/not a YYYY-MM-DD/);
  });
});
