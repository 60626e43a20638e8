import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

describe("the pos command line", () => {
  it("lists every back office command, compare included", () => {
    const result = spawnSync(process.execPath, [resolve(ROOT, "bin/pos.mjs"), "--help"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(0);
    for (const command of ["distribute", "import", "codes", "compare"]) {
      expect(result.stdout).toContain(command);
    }
  });
});
