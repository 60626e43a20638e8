import { execFile, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildReport } from "./child.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHILD = join(ROOT, "bench", "child.ts");
/** Inside the project, so the bundle's external packages resolve from its node_modules. */
const BUNDLE_DIRECTORY = join(ROOT, "node_modules", ".cache", "pos-bench-child");

/** What the parent saw of one child run. */
export type ChildRun = ChildReport & {
  /** Milliseconds from spawn to the report line, as seen by the parent. */
  readonly wallMs: number;
};

let bundled: Promise<string> | undefined;

/**
 * Bundles bench/child.ts and our modules into plain JavaScript with esbuild (platform node, ESM,
 * packages left external, one chunk per dynamic import so a mode loads only what it uses), as a
 * register shipped to a store would be built: no TypeScript loader runs in the measured process.
 */
export function childBundle(): Promise<string> {
  bundled ??= (async () => {
    await mkdir(BUNDLE_DIRECTORY, { recursive: true });
    await new Promise<void>((resolve, reject) => {
      execFile(
        join(ROOT, "node_modules", ".bin", "esbuild"),
        [
          CHILD,
          "--bundle",
          "--platform=node",
          "--format=esm",
          "--target=node20",
          "--packages=external",
          "--splitting",
          `--outdir=${BUNDLE_DIRECTORY}`,
          "--out-extension:.js=.mjs",
          "--log-level=warning",
        ],
        (error, _stdout, stderr) =>
          error === null
            ? resolve()
            : reject(new Error(`esbuild failed: ${stderr}`, { cause: error })),
      );
    });
    return join(BUNDLE_DIRECTORY, "child.mjs");
  })();
  return bundled;
}

/**
 * Runs the bundled bench/child.ts in a fresh Node process (with an exposed gc, no TypeScript
 * loader) and reads its report.
 */
export async function runChild(mode: string, args: readonly string[]): Promise<ChildRun> {
  const entry = await childBundle();
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--expose-gc", entry, mode, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let wallMs = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (wallMs === 0 && stdout.includes("\n")) wallMs = performance.now() - started;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.split("\n").find((text) => text.startsWith("{"));
      if (code !== 0 || line === undefined) {
        reject(new Error(`child ${mode} exited with ${code}: ${stderr.trim() || stdout.trim()}`));
        return;
      }
      resolve({ ...(JSON.parse(line) as ChildReport), wallMs });
    });
  });
}
