import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type AutomergeUrl, Repo } from "@automerge/automerge-repo";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AtomicNodeFSStorageAdapter } from "../../../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../../../replication/storage/shutdown-repo.ts";

/**
 * A register or retail server restart closes its repo and opens a new one over the same storage,
 * which loads every document again. automerge-repo 2.5.6 raced each load against one shared,
 * never-settling promise, so every document it ever loaded stayed reachable from that promise
 * for the life of the process (about 6 MiB per recycled convergence store in the soak). The
 * patch in patches/ (applied by `npm install`) makes a load wait on the caller's abort signal
 * alone; these tests fail when it is not applied.
 */

type Tally = { items: string[] };

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "pos-repo-release-"));
});
afterEach(async () => {
  // automerge-repo may still finish a throttled background save after shutdown.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await fs.rm(dir, { recursive: true, force: true });
});

async function writeDocument(): Promise<AutomergeUrl> {
  const repo = new Repo({ storage: new AtomicNodeFSStorageAdapter(dir) });
  const handle = repo.create<Tally>({ items: ["one", "two"] });
  await shutdownRepo(repo);
  return handle.url;
}

/** Opens a repo over the directory, loads the document from storage, closes the repo. */
async function loadThenClose(
  url: AutomergeUrl,
  options: { readonly signal?: AbortSignal } = {},
): Promise<{ readonly doc: WeakRef<object>; readonly repo: WeakRef<Repo> }> {
  const repo = new Repo({ storage: new AtomicNodeFSStorageAdapter(dir) });
  const handle = await repo.find<Tally>(url, options);
  expect(handle.doc().items).toEqual(["one", "two"]);
  const refs = { doc: new WeakRef(handle.doc()), repo: new WeakRef(repo) };
  await shutdownRepo(repo);
  return refs;
}

/** Collects garbage until `ref` is cleared or two seconds have passed; true when cleared. */
async function released(ref: WeakRef<object>): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    collectGarbage();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

describe("a closed repo releases the documents it loaded from storage", () => {
  it("find without a signal (as a register restart and automerge-repo's own sync do)", async () => {
    const url = await writeDocument();
    const first = await loadThenClose(url);
    const second = await loadThenClose(url);
    expect(await released(first.doc)).toBe(true);
    expect(await released(second.doc)).toBe(true);
    expect(await released(first.repo)).toBe(true);
  });

  it("find with an abort signal that is never aborted", async () => {
    const url = await writeDocument();
    const controller = new AbortController();
    const loaded = await loadThenClose(url, { signal: controller.signal });
    expect(await released(loaded.doc)).toBe(true);
    expect(await released(loaded.repo)).toBe(true);
  });
});
