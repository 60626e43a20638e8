import { ImmutableString, isImmutableString } from "@automerge/automerge";

/**
 * Plain data as stored in our documents: every string becomes an `ImmutableString` (none of our
 * strings is edited collaboratively, and collaborative text costs 5-10x the memory).
 */
export type Stored<T> = T extends string
  ? ImmutableString
  : T extends readonly (infer U)[]
    ? Stored<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: Stored<T[K]> }
      : T;

/**
 * Converts plain data for writing into a document: strings to `ImmutableString`, `undefined`
 * properties dropped (Automerge refuses them). Numbers, booleans and null pass unchanged.
 */
export function toStored<T>(value: T): Stored<T> {
  return convertIn(value) as Stored<T>;
}

function convertIn(value: unknown): unknown {
  if (typeof value === "string") return new ImmutableString(value);
  if (Array.isArray(value)) return value.map(convertIn);
  if (value !== null && typeof value === "object" && !isImmutableString(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== undefined) out[key] = convertIn(inner);
    }
    return out;
  }
  return value;
}

/**
 * Converts a value read from a document back to plain data: `ImmutableString` and collaborative
 * text both become strings. The result is untrusted: validate it before use.
 */
export function fromStored(value: unknown): unknown {
  if (typeof value === "string") return value;
  if (isImmutableString(value)) return value.val;
  if (Array.isArray(value)) return value.map(fromStored);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = fromStored(inner);
    return out;
  }
  return value;
}
