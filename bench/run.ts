import { spawn } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { browserProvisioning, browserScanToLine, CHROMIUM, chromiumPresent } from "./browser.ts";
import { coldStart } from "./cold-start.ts";
import { convergence } from "./convergence.ts";
import { failover } from "./failover.ts";
import {
  type Figure,
  type FigureResult,
  type PendingFigure,
  renderPendingRows,
  renderTable,
} from "./figures.ts";
import { describeMachine, machineInfo } from "./machine.ts";
import { memory } from "./memory.ts";
import { provisioning } from "./provisioning.ts";
import { scanToLine } from "./scan-to-line.ts";
import { removeScratchDirectories } from "./support.ts";
import { upload } from "./upload.ts";

/**
 * `npm run bench [-- --only a,b] [--quick] [--runs n]`: runs the figures, prints each with its
 * same-run baseline and ratio, says which goals were missed, and writes bench/results/latest.json
 * (a `--quick` or `--only` run writes bench/results/partial.json instead, so the committed
 * figures always come from a full run). Each figure runs in its own Node process, so timers,
 * sockets and heap left by one figure never slow the next.
 */

const FIGURES: readonly Figure[] = [
  provisioning,
  upload,
  convergence,
  memory,
  scanToLine,
  coldStart,
  failover,
  ...(chromiumPresent() ? [browserProvisioning, browserScanToLine] : []),
];

const PENDING: readonly PendingFigure[] = chromiumPresent()
  ? []
  : [
      {
        id: "browser",
        title: "Browser register (IndexedDB provisioning and scan-to-line in Chromium)",
        status: "not measured yet",
        reason: `skipped: Chromium not found at ${CHROMIUM}`,
      },
    ];

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    "result-file": { type: "string" },
  },
});

const known = new Map(FIGURES.map((figure) => [figure.id, figure]));
const wanted =
  values.only === undefined ? FIGURES.map((figure) => figure.id) : values.only.split(",");
const unknown = wanted.filter((id) => !known.has(id.trim()));
if (unknown.length > 0) {
  console.error(
    `Unknown figure(s): ${unknown.join(", ")}. Choose from: ${[...known.keys()].join(", ")}.`,
  );
  process.exit(2);
}
const runs = Math.max(3, Number(values.runs ?? 3));
const quick = values.quick ?? false;
const machine = machineInfo();

/** Prints one figure's result, saying plainly whether its goal was met. */
function report(result: FigureResult): void {
  const ratio = result.ratio === null ? "" : `, ${result.ratio.toFixed(2)}x the baseline`;
  console.log(
    `  ours ${result.ours.median.toFixed(2)} ${result.unit} (min ${result.ours.min.toFixed(2)}, ` +
      `max ${result.ours.max.toFixed(2)})` +
      (result.baseline === null
        ? ""
        : `; ${result.baselineName} ${result.baseline.median.toFixed(2)} ${result.unit} ` +
          `(min ${result.baseline.min.toFixed(2)}, max ${result.baseline.max.toFixed(2)})`) +
      ratio,
  );
  for (const note of result.notes) console.log(`  - ${note}`);
  console.log(result.goalMet ? `  goal met: ${result.goal}` : `  GOAL MISSED: ${result.goal}`);
}

/** Runs one figure in a fresh `node --import tsx bench/run.ts` and reads its result file. */
async function runIsolated(id: string): Promise<FigureResult> {
  const resultFile = join(tmpdir(), `pos-bench-${process.pid}-${id}.json`);
  const started = performance.now();
  process.stdout.write(`${id}: running ${runs} times ... `);
  const args = [
    "--expose-gc",
    "--import",
    "tsx",
    fileURLToPath(import.meta.url),
    "--only",
    id,
    "--runs",
    String(runs),
    "--result-file",
    resultFile,
    ...(quick ? ["--quick"] : []),
  ];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`figure ${id} exited with ${code}`);
  const result = JSON.parse(await readFile(resultFile, "utf8")) as FigureResult;
  await rm(resultFile, { force: true });
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

const resultFile = values["result-file"];
if (resultFile !== undefined) {
  const figure = known.get(wanted[0]?.trim() ?? "");
  if (figure === undefined) throw new Error("--result-file needs exactly one figure in --only");
  const result = await figure.run({ quick, runs });
  await removeScratchDirectories();
  await writeFile(resultFile, JSON.stringify(result));
  process.exit(0);
}

console.log(`Benchmarks on ${describeMachine(machine)}${quick ? " (quick sizes)" : ""}\n`);
const results: FigureResult[] = [];
const failures: { id: string; error: string }[] = [];
for (const id of wanted) {
  const figure = known.get(id.trim());
  if (figure === undefined) continue;
  try {
    const result = await runIsolated(figure.id);
    results.push(result);
    report(result);
  } catch (error) {
    console.log(`${figure.id}: FAILED`);
    console.error(error);
    failures.push({ id: figure.id, error: error instanceof Error ? error.message : String(error) });
  }
}
await removeScratchDirectories();
for (const pending of PENDING) console.log(`${pending.id}: not measured yet (${pending.reason})`);

const table = [renderTable(results), renderPendingRows(PENDING)].join("\n");
console.log(`\n${table}\n`);
const missed = results.filter((result) => !result.goalMet).map((result) => result.id);
console.log(
  missed.length === 0
    ? "Every measured goal was met."
    : `Goals missed: ${missed.join(", ")}. See the notes above.`,
);

const full = values.only === undefined && !quick;
const file = join(
  dirname(fileURLToPath(import.meta.url)),
  "results",
  full ? "latest.json" : "partial.json",
);
await mkdir(dirname(file), { recursive: true });
await writeFile(
  file,
  `${JSON.stringify({ machine, quick, runs, results, notMeasured: PENDING, failures, table }, null, 2)}\n`,
);
console.log(`Wrote ${file}`);
process.exit(failures.length > 0 ? 1 : 0);
