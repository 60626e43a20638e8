import { barcodeOf } from "./catalog.ts";
import { runChild } from "./child-process.ts";
import { type Figure, figureResult, summarise } from "./figures.ts";
import { prepareCatalog } from "./prepared-store.ts";
import { scratchDirectory, waitUntilIdle } from "./support.ts";

/**
 * Figure 4, memory: peak RSS of a fresh Node process that opens the file index holding the whole
 * catalog and serves a scan from it. Baseline: a fresh process holding the same rows parsed from
 * one JSON file in a plain Map by id.
 */

const MB = 1024 * 1024;
const GOAL_MB = 200;

function mb(values: readonly number[]): string {
  return summarise(values).median.toFixed(0);
}

export const memory: Figure = {
  id: "memory",
  title: "Memory of a register holding the catalog",
  async run({ quick, runs }) {
    const products = quick ? 10_000 : 100_000;
    const scratch = await scratchDirectory("memory");
    try {
      const prepared = await prepareCatalog(scratch.path, products);
      const probe = barcodeOf(products - 1);
      const ours: number[] = [];
      const oursAfter: number[] = [];
      const oursHeap: number[] = [];
      const oursHeapTotal: number[] = [];
      const oursExternal: number[] = [];
      const baseHeap: number[] = [];
      const baseline: number[] = [];
      const empty: number[] = [];
      await waitUntilIdle();
      for (let i = 0; i < runs; i++) {
        const index = await runChild("file-index", [prepared.indexDirectory, probe]);
        if (index.records !== products) throw new Error("the index child lost products");
        ours.push(index.peakRssBytes / MB);
        oursAfter.push(index.rssBytes / MB);
        oursHeap.push(index.heapUsedBytes / MB);
        oursHeapTotal.push(index.heapTotalBytes / MB);
        oursExternal.push(index.externalBytes / MB);
        const map = await runChild("plain-map", [prepared.jsonFile, probe]);
        if (map.records !== products) throw new Error("the map child lost products");
        baseline.push(map.peakRssBytes / MB);
        baseHeap.push(map.heapUsedBytes / MB);
        empty.push((await runChild("empty", [])).peakRssBytes / MB);
      }
      return figureResult({
        id: "memory",
        title: `Peak RSS, ${products.toLocaleString("en")}-product catalog`,
        unit: "MB",
        ours,
        baseline,
        baselineName: "plain Map by id",
        goal: `<= ${GOAL_MB} MB`,
        goalMet: (o) => o.median <= GOAL_MB,
        notes: [
          `ours after gc: ${summarise(oursAfter).median.toFixed(0)} MB resident ` +
            "(peak includes decoding the package); an empty Node process peaks at " +
            `${summarise(empty).median.toFixed(0)} MB`,
          `live JS heap after gc: ours ${mb(oursHeap)} MB, baseline ${mb(baseHeap)} MB; ours keeps ` +
            `a ${mb(oursHeapTotal)} MB V8 heap and ${mb(oursExternal)} MB external memory ` +
            "(the heap grows while the package is gunzipped, split and validated, and is not returned)",
          "each measured in a fresh child process (our modules bundled to JavaScript with esbuild, no TypeScript loader), peak from " +
            "VmHWM (kernel high-water mark); the file index also indexes barcodes and customers",
        ],
      });
    } finally {
      await scratch.remove();
    }
  },
};
