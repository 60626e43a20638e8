/**
 * Entry point of the child processes that the memory, cold start and upload figures spawn, so
 * each measurement starts from a fresh Node process. Modules are imported only by the mode that needs
 * them, so a baseline never pays for loading Automerge. Prints one JSON line and exits.
 *
 * Usage: node --import tsx bench/child.ts <mode> <args...>
 */

export type ChildReport = {
  /** Milliseconds since the process started, when the work was done. */
  readonly readyMs: number;
  /** Milliseconds since the process started, when the mode's modules were loaded. */
  readonly loadedMs: number;
  /** Peak resident set size of the process, bytes. */
  readonly peakRssBytes: number;
  /** Resident set size at the end, after a garbage collection when exposed, bytes. */
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** V8 heap reserved, bytes: what a heap that grew during loading still holds. */
  readonly heapTotalBytes: number;
  /** Memory outside the V8 heap (buffers, WebAssembly memory), bytes. */
  readonly externalBytes: number;
  /** Records held, as a check that the work was really done. */
  readonly records: number;
};

/**
 * Peak RSS of this process. On Linux `getrusage`'s maximum survives `execve`, so a child spawned
 * from a large parent would report the parent's peak; the kernel's VmHWM of the new address space
 * does not, and is used where it exists.
 */
async function peakRssBytes(): Promise<number> {
  try {
    const { readFileSync } = await import("node:fs");
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match?.[1] !== undefined) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function report(loadedMs: number, readyMs: number, records: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const memory = process.memoryUsage();
  const result: ChildReport = {
    readyMs,
    loadedMs,
    peakRssBytes: await peakRssBytes(),
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    records,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function fileIndex(directory: string, probe: string): Promise<void> {
  const { FileMasterDataIndex } = await import(
    "../replication/master-data/file-master-data-index.ts"
  );
  const loadedMs = performance.now();
  const index = await FileMasterDataIndex.open(directory);
  if ((await index.productByBarcode(probe)) === undefined) throw new Error("probe not found");
  const readyMs = performance.now();
  const records = (await index.counts()).product;
  await report(loadedMs, readyMs, records);
  // Keep the index reachable until after the report.
  await index.close();
}

async function plainMap(file: string, probe: string): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  const loadedMs = performance.now();
  const rows = JSON.parse(await readFile(file, "utf8")) as {
    entity: string;
    value: { id: string; barcodes?: string[] };
  }[];
  const products = new Map<string, unknown>();
  for (const row of rows) if (row.entity === "product") products.set(row.value.id, row.value);
  const found = rows.find((row) => row.value.barcodes?.[0] === probe);
  if (found === undefined || !products.has(found.value.id)) throw new Error("probe not found");
  const readyMs = performance.now();
  await report(loadedMs, readyMs, products.size);
}

async function plainMapByBarcode(file: string, probe: string): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  const loadedMs = performance.now();
  const rows = JSON.parse(await readFile(file, "utf8")) as {
    entity: string;
    value: { id: string; barcodes?: string[] };
  }[];
  const byBarcode = new Map<string, unknown>();
  for (const row of rows) {
    if (row.entity !== "product") continue;
    for (const barcode of row.value.barcodes ?? []) byBarcode.set(barcode, row.value);
  }
  if (!byBarcode.has(probe)) throw new Error("probe not found");
  const readyMs = performance.now();
  await report(loadedMs, readyMs, byBarcode.size);
}

async function register(
  indexDirectory: string,
  automergeDirectory: string,
  probe: string,
  storeId: string,
  registerId: string,
  businessDay: string,
): Promise<void> {
  const [{ FileMasterDataIndex }, { Repo }, storage, salesLog, { fold }] = await Promise.all([
    import("../replication/master-data/file-master-data-index.ts"),
    import("@automerge/automerge-repo"),
    import("../replication/storage/atomic-nodefs-storage-adapter.ts"),
    import("../replication/documents/sales-log.ts"),
    import("../domain/fold.ts"),
  ]);
  const loadedMs = performance.now();
  const key = { storeId, registerId, businessDay };
  const [index, state] = await Promise.all([
    FileMasterDataIndex.open(indexDirectory),
    (async () => {
      const repo = new Repo({
        storage: new storage.AtomicNodeFSStorageAdapter(automergeDirectory),
      });
      const log = await salesLog.openSalesLog(repo, key);
      const content = salesLog.readSalesLog(log.doc(), log.documentId, key);
      if (content.quarantined.length > 0) throw new Error("events quarantined at start");
      return fold(content.events);
    })(),
  ]);
  if ((await index.productByBarcode(probe)) === undefined) throw new Error("probe not found");
  const readyMs = performance.now();
  await report(loadedMs, readyMs, state.lastSeq);
  process.exit(0);
}

const [mode, ...args] = process.argv.slice(2);
const arg = (i: number): string => {
  const value = args[i];
  if (value === undefined) throw new Error(`${mode} needs argument ${i + 1}`);
  return value;
};
switch (mode) {
  case "file-index":
    await fileIndex(arg(0), arg(1));
    break;
  case "plain-map":
    await plainMap(arg(0), arg(1));
    break;
  case "plain-map-by-barcode":
    await plainMapByBarcode(arg(0), arg(1));
    break;
  case "empty":
    await report(performance.now(), performance.now(), 0);
    break;
  case "register":
    await register(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5));
    break;
  case "upload-register": {
    const { uploadRegister } = await import("./upload-register.ts");
    const key = { storeId: arg(3), registerId: arg(4), businessDay: arg(5) };
    await uploadRegister(arg(0), arg(1), arg(2), key, Number(arg(6)), Number(arg(7)));
    break;
  }
  default:
    throw new Error(`unknown mode ${String(mode)}`);
}
