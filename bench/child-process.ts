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

/** A bundled bench/child.ts process the parent talks to line by line. */
export type InteractiveChild = {
  /** Writes one command line to the child's stdin. */
  send(line: string): void;
  /** The next JSON line the child prints (lines not starting with `{` are skipped). */
  nextReport<T>(timeoutMs?: number): Promise<T>;
  /** Asks the child to stop (`stop`) and waits for it to exit; kills it after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
};

/**
 * Starts the bundled bench/child.ts in a fresh Node process that stays up and takes commands on
 * stdin, for figures where a second process plays a device (the register of the upload figure).
 */
export async function startInteractiveChild(
  mode: string,
  args: readonly string[],
): Promise<InteractiveChild> {
  const entry = await childBundle();
  const child = spawn(process.execPath, ["--expose-gc", entry, mode, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let buffered = "";
  let stderr = "";
  const reports: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let exited: { code: number | null } | null = null;
  const exitListeners: (() => void)[] = [];
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (!line.startsWith("{")) continue;
      const waiter = waiting.shift();
      if (waiter === undefined) reports.push(line);
      else waiter(line);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.on("close", (code) => {
    exited = { code };
    for (const listener of exitListeners.splice(0)) listener();
  });
  const exitedError = () =>
    new Error(`child ${mode} exited with ${exited?.code}: ${stderr.trim() || "no output"}`);

  return {
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    nextReport<T>(timeoutMs = 120_000): Promise<T> {
      const queued = reports.shift();
      if (queued !== undefined) return Promise.resolve(JSON.parse(queued) as T);
      if (exited !== null) return Promise.reject(exitedError());
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`child ${mode} did not report within ${timeoutMs} ms: ${stderr}`));
        }, timeoutMs);
        const onExit = () => {
          clearTimeout(timer);
          reject(exitedError());
        };
        exitListeners.push(onExit);
        waiting.push((line) => {
          clearTimeout(timer);
          exitListeners.splice(exitListeners.indexOf(onExit), 1);
          resolve(JSON.parse(line) as T);
        });
      });
    },
    async stop(timeoutMs = 10_000) {
      if (exited !== null) return;
      const done = new Promise<void>((resolve) => exitListeners.push(resolve));
      child.stdin.end("stop\n");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await done;
      clearTimeout(timer);
    },
  };
}
