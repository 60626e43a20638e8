import { describe, expect, it } from "vitest";
import { DomainError, formatReceiptNumber, parseReceiptNumber } from "../../../domain/index.ts";

describe("receipt numbers", () => {
  it("formats store-register-sequence with six digits and parses it back", () => {
    expect(formatReceiptNumber({ storeId: "S1", registerId: "R1", sequence: 42 })).toBe(
      "S1-R1-000042",
    );
    expect(parseReceiptNumber("S1-R1-000042")).toEqual({
      storeId: "S1",
      registerId: "R1",
      sequence: 42,
    });
    const long = formatReceiptNumber({ storeId: "S1", registerId: "R1", sequence: 1_234_567 });
    expect(long).toBe("S1-R1-1234567");
    expect(parseReceiptNumber(long)?.sequence).toBe(1_234_567);
  });

  it("keeps register ids with dashes readable", () => {
    const text = formatReceiptNumber({ storeId: "S1", registerId: "front-till-2", sequence: 7 });
    expect(parseReceiptNumber(text)).toEqual({
      storeId: "S1",
      registerId: "front-till-2",
      sequence: 7,
    });
  });

  it("rejects what is not a receipt number", () => {
    for (const text of ["", "S1", "S1-R1", "S1-R1-", "S1-R1-abc", "S1-R1-000000", "S 1-R1-1"]) {
      expect(parseReceiptNumber(text)).toBeNull();
    }
  });

  it("refuses ids that cannot be read back", () => {
    expect(() => formatReceiptNumber({ storeId: "S-1", registerId: "R1", sequence: 1 })).toThrow(
      DomainError,
    );
    expect(() => formatReceiptNumber({ storeId: "S1", registerId: "R1", sequence: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_RECEIPT_NUMBER" }),
    );
  });
});
