import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function sourceFiles(folder: string): string[] {
  const dir = join(root, folder);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(join(folder, name));
    return /\.(ts|tsx|mts|cts)$/.test(name) ? [path] : [];
  });
}

/** Every module specifier of static imports, `export ... from`, and dynamic `import()`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?["']([^"']+)["']/g,
    /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
    /\brequire\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) if (match[1] !== undefined) found.push(match[1]);
  }
  return found;
}

function isInside(file: string, specifier: string, folder: string): boolean {
  if (!specifier.startsWith(".")) return false;
  const target = resolve(dirname(file), specifier);
  const base = join(root, folder);
  return target === base || target.startsWith(base + sep);
}

describe("layering: src -> replication -> domain", () => {
  it("finds the specifiers the checks rely on", () => {
    const sample = `import type { A } from "./a.ts";
import { b,
  c } from "../b.ts";
export * from "zod";
export { d } from "node:fs";
import "side-effect";
const e = await import("../../src/e.ts");`;
    expect(specifiers(sample).sort()).toEqual(
      ["./a.ts", "../b.ts", "zod", "node:fs", "side-effect", "../../src/e.ts"].sort(),
    );
  });

  it("domain imports nothing but other files of domain (no packages, no node:*)", () => {
    const files = sourceFiles("domain");
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.flatMap((file) =>
      specifiers(readFileSync(file, "utf8"))
        .filter((specifier) => !isInside(file, specifier, "domain"))
        .map((specifier) => `${relative(root, file)} -> ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it("replication never imports from src", () => {
    const offenders = sourceFiles("replication").flatMap((file) =>
      specifiers(readFileSync(file, "utf8"))
        .filter(
          (specifier) =>
            isInside(file, specifier, "src") ||
            (/(^|\/)src\//.test(specifier) && !specifier.startsWith(".")),
        )
        .map((specifier) => `${relative(root, file)} -> ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });
});
