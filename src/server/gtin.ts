/**
 * GS1 barcodes (GTIN-8, UPC-A = GTIN-12, EAN-13, GTIN-14): digits only, the last digit a mod-10
 * check digit over the others with weights 3 and 1 alternating from the right.
 */

export const GTIN_LENGTHS = [8, 12, 13, 14] as const;

/** The check digit for the digits of a GTIN without its last digit. */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** True for a GTIN of a valid length whose check digit is right. */
export function isValidGtin(code: string): boolean {
  if (!/^\d+$/.test(code)) return false;
  if (!(GTIN_LENGTHS as readonly number[]).includes(code.length)) return false;
  return gtinCheckDigit(code.slice(0, -1)) === Number(code.at(-1));
}

/** True for a valid 13-digit EAN. */
export function isValidEan13(code: string): boolean {
  return code.length === 13 && isValidGtin(code);
}

/** Completes 12 digits into an EAN-13 by appending the check digit. */
export function toEan13(twelveDigits: string): string {
  if (!/^\d{12}$/.test(twelveDigits)) {
    throw new RangeError(`An EAN-13 body is 12 digits, got "${twelveDigits}".`);
  }
  return `${twelveDigits}${gtinCheckDigit(twelveDigits)}`;
}
