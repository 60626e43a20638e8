import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildReport } from "./child.ts";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

/** What the parent saw of one child run. */
export type ChildRun = ChildReport & {
  /** Milliseconds from spawn to the report line, as seen by the parent. */
  readonly wallMs: number;
};

/** Runs bench/child.ts in a fresh Node process (with tsx and an exposed gc) and reads its report. */
export function runChild(mode: string, args: readonly string[]): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--import", "tsx", CHILD, mode, ...args],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
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
