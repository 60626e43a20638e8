import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import type { Product, TaxGroup } from "../../domain/master-data.ts";
import type { ImportIssue } from "./errors.ts";
import { isValidGtin } from "./gtin.ts";

/**
 * Product import for the back office, from CSV or JSON. Every row is validated, then the file as a
 * whole (duplicate ids and barcodes, tax groups and barcodes against current master data). The
 * result is all-or-nothing: either every row, validated, for the caller to stage into a
 * distribution run, or every problem found, each naming its line, field and reason. Nothing is
 * applied here, and no input, however malformed, makes it throw.
 *
 * CSV: a header row with the columns `id, name, price, tax_group` and optionally `barcodes`
 * (several separated by `|`) and `active` (true/false, yes/no, 1/0; default true). Comma or
 * semicolon separated. `price` is the shelf price in currency units with up to two decimals
 * (`2.49`).
 *
 * JSON: an array of `{ id, name, price, taxGroupId, barcodes?, active? }` where `price` is an
 * integer in minor units (`249`), as in the domain's `Product`.
 */

export const CATALOG_FORMATS = ["csv", "json"] as const;
export type CatalogFormat = (typeof CATALOG_FORMATS)[number];

export type CatalogImportLimits = {
  /** Longest product name accepted. */
  readonly maxStringLength: number;
  /** Most product rows in one file. */
  readonly maxRows: number;
};

export const DEFAULT_CATALOG_IMPORT_LIMITS: CatalogImportLimits = {
  maxStringLength: 1_000,
  maxRows: 200_000,
};

/** The master data an import is checked against. */
export type CatalogReferences = {
  readonly taxGroups: readonly Pick<TaxGroup, "id">[];
  /** Current products, to catch a barcode already used by a product the file does not touch. */
  readonly products?: readonly Pick<Product, "id" | "barcodes">[];
};

export type CatalogImportInput = {
  readonly format: CatalogFormat;
  readonly text: string;
  readonly references: CatalogReferences;
  readonly limits?: Partial<CatalogImportLimits>;
};

export type CatalogImportResult =
  | { readonly ok: true; readonly products: readonly Product[] }
  | { readonly ok: false; readonly issues: readonly ImportIssue[] };

const MAX_ID_LENGTH = 64;
const MAX_BARCODES = 20;
const MAX_PRICE_MINOR = 100_000_000;
const CSV_REQUIRED_COLUMNS = ["id", "name", "price", "tax_group"] as const;
const CSV_COLUMNS = [...CSV_REQUIRED_COLUMNS, "barcodes", "active"] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Field name in the file for each property of the validated row, per format. */
const CSV_FIELD_BY_PROPERTY: Readonly<Record<string, CsvColumn>> = {
  id: "id",
  name: "name",
  price: "price",
  taxGroupId: "tax_group",
  barcodes: "barcodes",
  active: "active",
};

function rowSchemas(limits: CatalogImportLimits, references: CatalogReferences) {
  const knownTaxGroups = new Set(references.taxGroups.map((group) => group.id));
  const id = z
    .string({ error: "must be text" })
    .trim()
    .min(1, { error: "is required" })
    .max(MAX_ID_LENGTH, { error: `must be at most ${MAX_ID_LENGTH} characters` })
    .regex(/^[A-Za-z0-9._-]+$/, { error: "may contain only letters, digits, '.', '_' and '-'" });
  const name = z
    .string({ error: "must be text" })
    .trim()
    .min(1, { error: "is required" })
    .max(limits.maxStringLength, { error: `must be at most ${limits.maxStringLength} characters` })
    .refine((value) => !hasControlCharacter(value), {
      error: "must not contain control characters or line breaks",
    });
  const taxGroupId = z
    .string({ error: "must be text" })
    .trim()
    .min(1, { error: "is required" })
    .refine((value) => knownTaxGroups.has(value), {
      error: (issue) =>
        `tax group "${String(issue.input).slice(0, MAX_ID_LENGTH)}" does not exist (known: ${[...knownTaxGroups].join(", ") || "none"})`,
    });
  const barcode = z
    .string({ error: "must be text" })
    .trim()
    .refine(isValidGtin, {
      error: (issue) =>
        `"${String(issue.input).slice(0, 20)}" is not a valid EAN/UPC barcode (8, 12, 13 or 14 digits with a correct check digit)`,
    });
  const barcodes = z
    .array(barcode, { error: "must be a list of barcodes" })
    .max(MAX_BARCODES, { error: `may hold at most ${MAX_BARCODES} barcodes` });

  const csv = z.object({
    id,
    name,
    taxGroupId,
    price: z
      .string()
      .trim()
      .regex(/^\d{1,7}([.,]\d{1,2})?$/, {
        error: "must be an amount like 2.49 (no currency sign, at most two decimals)",
      })
      .transform(decimalToMinorUnits),
    barcodes: z
      .string()
      .transform((cell) =>
        cell
          .split("|")
          .map((code) => code.trim())
          .filter((code) => code.length > 0),
      )
      .pipe(barcodes),
    active: z
      .string()
      .trim()
      .toLowerCase()
      .transform((cell, context) => {
        if (cell === "") return true;
        if (["true", "yes", "1", "y"].includes(cell)) return true;
        if (["false", "no", "0", "n"].includes(cell)) return false;
        context.addIssue({ code: "custom", message: "must be true or false (or yes/no, 1/0)" });
        return z.NEVER;
      }),
  });

  const json = z.strictObject(
    {
      id,
      name,
      taxGroupId,
      price: z
        .number({ error: "must be a number of minor units, e.g. 249 for 2.49" })
        .int({ error: "must be a whole number of minor units, e.g. 249 for 2.49" })
        .min(0, { error: "must not be negative" })
        .max(MAX_PRICE_MINOR, { error: `must be at most ${MAX_PRICE_MINOR}` }),
      barcodes: barcodes.default([]),
      active: z.boolean({ error: "must be true or false" }).default(true),
    },
    {
      error: (issue) => (issue.code === "unrecognized_keys" ? "is not a product field" : undefined),
    },
  );
  return { csv, json };
}

type LocatedProduct = { readonly line: number; readonly product: Product };

/**
 * Validates a catalog file. Never throws: any input yields either products or issues.
 *
 * @example
 * const result = importCatalog({ format: "csv", text, references: { taxGroups } });
 * if (!result.ok) for (const { line, field, reason } of result.issues) console.log(line, field, reason);
 */
export function importCatalog(input: CatalogImportInput): CatalogImportResult {
  const limits: CatalogImportLimits = { ...DEFAULT_CATALOG_IMPORT_LIMITS, ...input.limits };
  try {
    const rows =
      input.format === "csv"
        ? readCsv(input.text, limits, input.references)
        : readJson(input.text, limits, input.references);
    if (!rows.ok) return rows;
    const issues = [...rows.issues, ...crossCheck(rows.rows, input.references)].sort(
      (a, b) => a.line - b.line,
    );
    if (issues.length > 0) return { ok: false, issues };
    return { ok: true, products: rows.rows.map((row) => row.product) };
  } catch (error) {
    return {
      ok: false,
      issues: [{ line: 1, field: null, reason: `the file could not be read: ${describe(error)}` }],
    };
  }
}

/** Valid rows and row-level issues, or a file-level failure. */
type RowsOrIssues =
  | {
      readonly ok: true;
      readonly rows: readonly LocatedProduct[];
      readonly issues: readonly ImportIssue[];
    }
  | { readonly ok: false; readonly issues: readonly ImportIssue[] };

function readCsv(
  text: string,
  limits: CatalogImportLimits,
  references: CatalogReferences,
): RowsOrIssues {
  const normalised = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (normalised.trim() === "") {
    return { ok: false, issues: [{ line: 1, field: null, reason: "the file is empty" }] };
  }
  const firstLine = normalised.slice(0, normalised.indexOf("\n") >>> 0);
  const delimiter = firstLine.includes(";") && !firstLine.includes(",") ? ";" : ",";
  const issues: ImportIssue[] = [];
  const records = parseCsv(normalised, {
    delimiter,
    record_delimiter: "\n",
    info: true,
    raw: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      const line = typeof error?.lines === "number" ? error.lines : 1;
      issues.push({ line, field: null, reason: `the CSV is malformed: ${describe(error)}` });
      return undefined;
    },
  }) as unknown as readonly { record: string[]; raw: string }[];

  let consumed = 0;
  const located = records.map(({ record, raw }) => {
    const leading = raw.length - raw.replace(/^\n+/, "").length;
    const line = 1 + countNewlines(normalised, consumed) + leading;
    consumed += raw.length;
    return { record, line };
  });

  const header = located[0];
  if (header === undefined) {
    return {
      ok: false,
      issues: [...issues, { line: 1, field: null, reason: "the file has no header row" }],
    };
  }
  const columns = header.record.map((cell) => cell.trim().toLowerCase());
  columns.forEach((column, index) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) {
      issues.push({
        line: header.line,
        field: column === "" ? `column ${index + 1}` : column,
        reason: `is not a known column (expected ${CSV_COLUMNS.join(", ")})`,
      });
    } else if (columns.indexOf(column) !== index) {
      issues.push({
        line: header.line,
        field: column,
        reason: "appears more than once in the header",
      });
    }
  });
  for (const required of CSV_REQUIRED_COLUMNS) {
    if (!columns.includes(required)) {
      issues.push({ line: header.line, field: required, reason: "required column is missing" });
    }
  }
  if (issues.length > 0) return { ok: false, issues };

  const body = located.slice(1);
  if (body.length === 0) {
    return {
      ok: false,
      issues: [{ line: header.line, field: null, reason: "the file has no product rows" }],
    };
  }
  if (body.length > limits.maxRows) {
    return {
      ok: false,
      issues: [
        {
          line: body[limits.maxRows]!.line,
          field: null,
          reason: `the file has more than ${limits.maxRows} product rows; split it`,
        },
      ],
    };
  }

  const { csv } = rowSchemas(limits, references);
  const rows: LocatedProduct[] = [];
  for (const { record, line } of body) {
    if (record.length !== columns.length) {
      issues.push({
        line,
        field: null,
        reason: `has ${record.length} ${record.length === 1 ? "value" : "values"} but the header has ${columns.length} columns`,
      });
      continue;
    }
    const cell = (column: CsvColumn): string => {
      const index = columns.indexOf(column);
      return index === -1 ? "" : (record[index] ?? "");
    };
    const parsed = csv.safeParse({
      id: cell("id"),
      name: cell("name"),
      taxGroupId: cell("tax_group"),
      price: cell("price"),
      barcodes: cell("barcodes"),
      active: cell("active"),
    });
    if (parsed.success) {
      rows.push({ line, product: parsed.data });
    } else {
      for (const issue of parsed.error.issues) {
        const property = String(issue.path[0] ?? "");
        issues.push({
          line,
          field: CSV_FIELD_BY_PROPERTY[property] ?? null,
          reason: issue.message,
        });
      }
    }
  }
  return { ok: true, rows, issues };
}

function readJson(
  text: string,
  limits: CatalogImportLimits,
  references: CatalogReferences,
): RowsOrIssues {
  const normalised = text.replace(/^\uFEFF/, "");
  let document: unknown;
  try {
    document = JSON.parse(normalised);
  } catch (error) {
    return {
      ok: false,
      issues: [
        {
          line: jsonErrorLine(normalised, error),
          field: null,
          reason: `the JSON is malformed: ${describe(error)}`,
        },
      ],
    };
  }
  if (!Array.isArray(document)) {
    return {
      ok: false,
      issues: [{ line: 1, field: null, reason: "the file must be a JSON array of products" }],
    };
  }
  const lines = arrayElementLines(normalised);
  if (document.length === 0) {
    return { ok: false, issues: [{ line: 1, field: null, reason: "the file has no products" }] };
  }
  if (document.length > limits.maxRows) {
    return {
      ok: false,
      issues: [
        {
          line: lines[limits.maxRows] ?? 1,
          field: null,
          reason: `the file has more than ${limits.maxRows} products; split it`,
        },
      ],
    };
  }
  const { json } = rowSchemas(limits, references);
  const issues: ImportIssue[] = [];
  const rows: LocatedProduct[] = [];
  document.forEach((element: unknown, index) => {
    const line = lines[index] ?? 1;
    const parsed = json.safeParse(element);
    if (parsed.success) {
      rows.push({ line, product: parsed.data });
      return;
    }
    for (const issue of parsed.error.issues) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [null];
      for (const key of keys) {
        const path = key === null ? issue.path : [...issue.path, key];
        const field = path.length === 0 ? null : path.map(String).join(".");
        issues.push({
          line,
          field,
          reason: field === null ? "must be a product object" : issue.message,
        });
      }
    }
  });
  return { ok: true, rows, issues };
}

function crossCheck(rows: readonly LocatedProduct[], references: CatalogReferences): ImportIssue[] {
  const issues: ImportIssue[] = [];
  const idLines = new Map<string, number>();
  const barcodeLines = new Map<string, { line: number; productId: string }>();
  const importedIds = new Set(rows.map((row) => row.product.id));
  const existingBarcodes = new Map<string, string>();
  for (const product of references.products ?? []) {
    if (importedIds.has(product.id)) continue;
    for (const code of product.barcodes) existingBarcodes.set(code, product.id);
  }

  for (const { line, product } of rows) {
    const firstLine = idLines.get(product.id);
    if (firstLine === undefined) idLines.set(product.id, line);
    else
      issues.push({
        line,
        field: "id",
        reason: `product ${product.id} already appears on line ${firstLine}`,
      });

    for (const code of product.barcodes) {
      const earlier = barcodeLines.get(code);
      if (earlier !== undefined && earlier.productId !== product.id) {
        issues.push({
          line,
          field: "barcodes",
          reason: `barcode ${code} is also given to product ${earlier.productId} on line ${earlier.line}`,
        });
      } else if (earlier === undefined) {
        barcodeLines.set(code, { line, productId: product.id });
      }
      const owner = existingBarcodes.get(code);
      if (owner !== undefined) {
        issues.push({
          line,
          field: "barcodes",
          reason: `barcode ${code} already belongs to product ${owner}`,
        });
      }
    }
  }
  return issues;
}

function decimalToMinorUnits(text: string): number {
  const [units = "0", fraction = ""] = text.replace(",", ".").split(".");
  return Number(units) * 100 + Number(fraction.padEnd(2, "0"));
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) count++;
  return count;
}

/** The 1-based line where each element of the top-level JSON array starts. */
function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "\n") line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === " " || char === "\t" || char === "\n" || char === "\r") continue;
    if (depth === 1 && expectElement && char !== "]") {
      lines.push(line);
      expectElement = false;
    }
    if (char === '"') inString = true;
    else if (char === "[" || char === "{") {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (char === "]" || char === "}") depth--;
    else if (char === "," && depth === 1) expectElement = true;
  }
  return lines;
}

function jsonErrorLine(text: string, error: unknown): number {
  const message = describe(error);
  const lineMatch = /line (\d+)/.exec(message);
  if (lineMatch) return Number(lineMatch[1]);
  const positionMatch = /position (\d+)/.exec(message);
  if (positionMatch)
    return 1 + countNewlines(text, Math.min(Number(positionMatch[1]), text.length));
  return 1;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
