import { execFile } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { encodePackage } from "../replication/master-data/package-codec.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from "../test/e2e/fixtures/chromium.ts";
import { catalogRows } from "./catalog.ts";
import { type Figure, figureResult, percentile, summarise } from "./figures.ts";
import { startHttpServer } from "./support.ts";

/**
 * Figures 8 and 9, the browser register in real Chromium (headless, the same browser and flags as the end-to-end tests):
 * provisioning the catalog into IndexedDB through the register's own codec and
 * IndexedDbMasterDataIndex, and scan-to-line (IndexedDB lookup, domain addLine, Automerge append
 * to the sales log on IndexedDBStorageAdapter). The page is bench/browser/page.ts bundled for the
 * browser with esbuild. Skipped, with a line saying so, when Chromium is absent.
 */

/** The Chromium the end-to-end tests drive (POS_CHROMIUM_PATH, else Debian's). */
export const CHROMIUM = CHROMIUM_PATH;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUNDLE_DIRECTORY = join(ROOT, "node_modules", ".cache", "pos-bench-browser");
const SCAN_GOAL_P99_MS = 5;

/** True when the browser figures can run on this machine. */
export function chromiumPresent(): boolean {
  return chromiumAvailable;
}

async function bundlePage(): Promise<string> {
  await mkdir(BUNDLE_DIRECTORY, { recursive: true });
  const outfile = join(BUNDLE_DIRECTORY, "page.js");
  await new Promise<void>((resolve, reject) => {
    execFile(
      join(ROOT, "node_modules", ".bin", "esbuild"),
      [
        join(ROOT, "bench", "browser", "page.ts"),
        "--bundle",
        "--platform=browser",
        "--format=esm",
        "--target=chrome120",
        // Automerge's "webpack" entry carries its WebAssembly inline (base64): no loader needed.
        "--conditions=webpack",
        `--outfile=${outfile}`,
        "--log-level=warning",
      ],
      (error, _stdout, stderr) =>
        error === null
          ? resolve()
          : reject(new Error(`esbuild failed: ${stderr}`, { cause: error })),
    );
  });
  return readFile(outfile, "utf8");
}

type Session = { readonly page: Page; close(): Promise<void> };

async function openPage(products: number): Promise<Session> {
  const rows = catalogRows(products);
  const encoded = await encodePackage(rows);
  const script = await bundlePage();
  const rowsJson = JSON.stringify(rows);
  const info = JSON.stringify({ sha256: encoded.sha256, rows: encoded.rows });
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>loading</title>' +
    '<script type="module" src="/page.js"></script></head><body></body></html>';
  const server = await startHttpServer(async (request) => {
    switch (request.url) {
      case "/":
        return { status: 200, body: html, type: "text/html; charset=utf-8" };
      case "/page.js":
        return { status: 200, body: script, type: "text/javascript; charset=utf-8" };
      case "/package.json":
        return { status: 200, body: info, type: "application/json" };
      case "/package.bin":
        return { status: 200, body: encoded.payload, type: "application/octet-stream" };
      case "/rows.json":
        return { status: 200, body: rowsJson, type: "application/json" };
      default:
        return { status: 404, body: "not found" };
    }
  });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(server.url);
    await page.waitForFunction(() => document.title === "ready", undefined, { timeout: 60_000 });
    if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
    const opened = browser;
    return {
      page,
      async close() {
        await opened.close();
        await server.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.stop();
    throw error;
  }
}

type Timed = { readonly ms: number; readonly products: number };
type Bench = {
  provision(database: string): Promise<Timed>;
  plainPut(database: string): Promise<Timed>;
  scan(
    database: string,
    documents: string,
    scans: number,
    products: number,
  ): Promise<{ timings: number[]; baseline: number[] }>;
};

function call<K extends keyof Bench>(
  page: Page,
  name: K,
  ...args: Parameters<Bench[K]>
): Promise<Awaited<ReturnType<Bench[K]>>> {
  return page.evaluate(
    ([fn, fnArgs]) =>
      (
        (globalThis as unknown as { bench: Record<string, (...a: unknown[]) => unknown> }).bench[
          fn as string
        ] as (...a: unknown[]) => Promise<unknown>
      )(...(fnArgs as unknown[])),
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<Bench[K]>>>;
}

export const browserProvisioning: Figure = {
  id: "browser-provisioning",
  title: "Browser provisioning",
  async run({ quick, runs }) {
    const products = quick ? 10_000 : 100_000;
    const session = await openPage(products);
    try {
      const ours: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < runs; i++) {
        const measured = await call(session.page, "provision", `md-${i}`);
        if (measured.products !== products) throw new Error("provisioning lost products");
        ours.push(measured.ms);
        baseline.push((await call(session.page, "plainPut", `plain-${i}`)).ms);
      }
      const rate = (ms: number) => Math.round((products + 15) / (ms / 1000));
      return figureResult({
        id: "browser-provisioning",
        title: `Browser: provisioning ${products.toLocaleString("en")} products into IndexedDB`,
        unit: "ms",
        ours,
        baseline,
        baselineName: "plain objects, one store, one transaction",
        goal: "<= 3x baseline",
        goalMet: (o, b) => b !== null && o.median <= 3 * b.median,
        notes: [
          `ours ${rate(summarise(ours).median)} rows/s median, baseline ` +
            `${rate(summarise(baseline).median)} rows/s`,
          "ours: fetch the package, verify SHA-256, gunzip, validate every row, write products " +
            "(with the multi-entry barcode index), customers, records and the applied seq in one " +
            "IndexedDB transaction; baseline: fetch the rows as JSON, put each as a plain object " +
            "into one object store without indexes, in one transaction",
          "headless Chromium from /usr/bin/chromium, the page bundled with esbuild",
        ],
      });
    } finally {
      await session.close();
    }
  },
};

export const browserScanToLine: Figure = {
  id: "browser-scan-to-line",
  title: "Browser scan to line",
  async run({ quick, runs }) {
    const products = quick ? 10_000 : 100_000;
    const scans = quick ? 500 : 2_000;
    const session = await openPage(products);
    try {
      await call(session.page, "provision", "md");
      const oursP99: number[] = [];
      const oursP50: number[] = [];
      const baseP99: number[] = [];
      const baseP50: number[] = [];
      for (let i = 0; i < runs; i++) {
        const { timings, baseline } = await call(
          session.page,
          "scan",
          "md",
          `documents-${i}`,
          scans,
          products,
        );
        oursP99.push(percentile(timings, 99));
        oursP50.push(percentile(timings, 50));
        baseP99.push(percentile(baseline, 99));
        baseP50.push(percentile(baseline, 50));
      }
      return figureResult({
        id: "browser-scan-to-line",
        title: `Browser: scan to line p99, ${scans.toLocaleString("en")} scans, ${products.toLocaleString("en")} products`,
        unit: "ms",
        ours: oursP99,
        baseline: baseP99,
        baselineName: "IndexedDB lookup + command, no append",
        goal: `p99 <= ${SCAN_GOAL_P99_MS} ms`,
        goalMet: (o) => o.median <= SCAN_GOAL_P99_MS,
        notes: [
          `p50: ours ${summarise(oursP50).median.toFixed(3)} ms, baseline ` +
            `${summarise(baseP50).median.toFixed(3)} ms`,
          "ours: barcode lookup in IndexedDbMasterDataIndex, the domain's addLine, one Automerge " +
            "change appended to the sales log (automerge-repo with IndexedDBStorageAdapter; the " +
            "write to IndexedDB is throttled, outside the timed span)",
        ],
      });
    } finally {
      await session.close();
    }
  },
};
