import { join } from "node:path";
import type { SalesLogKey } from "../replication/documents/sales-log.ts";
import { BENCH_STORE_ID, barcodeOf } from "./catalog.ts";
import { runChild } from "./child-process.ts";
import { type Figure, figureResult, summarise } from "./figures.ts";
import { prepareCatalog, prepareSalesLog } from "./prepared-store.ts";
import { scratchDirectory, waitUntilIdle } from "./support.ts";

/**
 * Figure 6, cold start: a fresh Node process opens the file index holding the catalog and the
 * day's sales log from atomic nodefs storage, folds the log, and is ready when a first scan
 * could be served. Measured from process start (module loading included). Baseline: a fresh
 * process reading the same rows from one plain JSON file into a Map by barcode.
 */

const key: SalesLogKey = { storeId: BENCH_STORE_ID, registerId: "r1", businessDay: "2024-05-01" };
const GOAL_MS = 1_000;

export const coldStart: Figure = {
  id: "cold-start",
  title: "Cold start",
  async run({ quick, runs }) {
    const products = quick ? 10_000 : 100_000;
    const events = quick ? 500 : 2_000;
    const scratch = await scratchDirectory("cold-start");
    try {
      const prepared = await prepareCatalog(scratch.path, products);
      const automerge = join(scratch.path, "automerge");
      await prepareSalesLog(automerge, key, events, products);
      const probe = barcodeOf(products - 1);
      const ours: number[] = [];
      const loaded: number[] = [];
      const wall: number[] = [];
      const baseline: number[] = [];
      await waitUntilIdle();
      for (let i = 0; i < runs; i++) {
        const run = await runChild("register", [
          prepared.indexDirectory,
          automerge,
          probe,
          key.storeId,
          key.registerId,
          key.businessDay,
        ]);
        if (run.records !== events) throw new Error(`folded ${run.records} of ${events} events`);
        ours.push(run.readyMs);
        loaded.push(run.loadedMs);
        wall.push(run.wallMs);
        baseline.push((await runChild("plain-map-by-barcode", [prepared.jsonFile, probe])).readyMs);
      }
      return figureResult({
        id: "cold-start",
        title: `Cold start, ${products.toLocaleString("en")} products + ${events.toLocaleString("en")} events`,
        unit: "ms",
        ours,
        baseline,
        baselineName: "JSON file into a Map",
        goal: `<= ${GOAL_MS} ms`,
        goalMet: (o) => o.median <= GOAL_MS,
        notes: [
          `from process start, our modules bundled to JavaScript with esbuild as a shipped register would be (no TypeScript loader); of which loading Node and the modules ` +
            `${summarise(loaded).median.toFixed(0)} ms; spawn to ready as the parent sees it ` +
            `${summarise(wall).median.toFixed(0)} ms`,
        ],
      });
    } finally {
      await scratch.remove();
    }
  },
};
