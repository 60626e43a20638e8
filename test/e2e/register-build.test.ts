import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureAppsBuilt } from "./fixtures/built-apps.ts";

/**
 * The production build of the register and manager pages: where each page lands, and what the
 * service worker precaches so a reload while the retail server is down still starts the register.
 */
describe("register app build", () => {
  const outDir = fileURLToPath(new URL("../../dist", import.meta.url));
  let sw = "";

  beforeAll(async () => {
    await ensureAppsBuilt();
    sw = readFileSync(join(outDir, "sw.js"), "utf8").replace(/\s+/g, "");
  });

  it("serves the register at / and the manager view at /manager/", () => {
    expect(readFileSync(join(outDir, "index.html"), "utf8")).toContain("<title>Register</title>");
    expect(readFileSync(join(outDir, "manager/index.html"), "utf8")).toContain("Manager");
    expect(existsSync(join(outDir, "src"))).toBe(false);
  });

  it("precaches the app shell, every script, style and wasm file", () => {
    const assets = readdirSync(join(outDir, "assets")).filter((f) => /\.(js|css|wasm)$/.test(f));
    expect(assets.some((f) => f.endsWith(".js"))).toBe(true);
    expect(assets.some((f) => f.endsWith(".css"))).toBe(true);
    for (const url of ["index.html", "manager/index.html", ...assets.map((f) => `assets/${f}`)]) {
      expect(sw).toMatch(new RegExp(`"?url"?:"${url.replaceAll(".", "\\.")}"`));
    }
  });

  it("falls back to the cached register shell for / only, never for /api or /manager", () => {
    const route =
      /createHandlerBoundToURL\("\/index\.html"\),\{allowlist:\[(.*?)\],denylist:\[(.*?)\]\}/.exec(
        sw,
      );
    expect(route).not.toBeNull();
    const allow = regexList(route?.[1] ?? "");
    const deny = regexList(route?.[2] ?? "");
    const fallsBack = (path: string) =>
      allow.some((a) => a.test(path)) && !deny.some((d) => d.test(path));
    expect(fallsBack("/")).toBe(true);
    expect(fallsBack("/?dev=1")).toBe(true);
    expect(fallsBack("/api/health")).toBe(false);
    expect(fallsBack("/manager/")).toBe(false);
    expect(fallsBack("/manager")).toBe(false);
  });
});

/** The regular expression literals of a generated `[/a/, /b/]` list. */
function regexList(literals: string): RegExp[] {
  return literals
    .split(/,(?=\/)/)
    .filter((literal) => literal !== "")
    .map((literal) => new RegExp(literal.slice(1, literal.lastIndexOf("/"))));
}
