import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as Automerge from "@automerge/automerge";
import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  Repo,
  stringifyAutomergeUrl,
} from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AtomicNodeFSStorageAdapter,
  type QuarantinedFile,
} from "../../../replication/storage/atomic-nodefs-storage-adapter.ts";
import { sha256Hex } from "../../../replication/storage/automerge-chunk-check.ts";
import { shutdownRepo } from "../../../replication/storage/shutdown-repo.ts";

type Tally = { items: string[] };

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "pos-storage-"));
});
afterEach(async () => {
  // automerge-repo may still finish a throttled background save after shutdown.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await fs.rm(dir, { recursive: true, force: true });
});

async function files(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** A Repo over `storage`, once its storage id is written (so no write outlives the test). */
async function openRepo(storage: AtomicNodeFSStorageAdapter): Promise<Repo> {
  const repo = new Repo({ storage });
  await repo.storageId();
  return repo;
}

/** Writes a document in three changes, flushed one by one, through a Repo. */
async function writeDocWithRepo(storage: AtomicNodeFSStorageAdapter | NodeFSStorageAdapter) {
  const repo = new Repo({ storage, saveDebounceRate: 0 });
  await repo.storageId();
  const handle = repo.create<Tally>({ items: ["one"] });
  for (const item of ["two", "three"]) {
    await repo.flush();
    handle.change((d) => {
      d.items.push(item);
    });
  }
  await repo.flush();
  await repo.shutdown();
  return handle.url;
}

/**
 * Stores a document exactly as automerge-repo lays it out, without a Repo's background saves:
 * one snapshot ("one") and two incremental chunks ("two", "three") named by their SHA-256.
 */
async function writeDoc(storage: AtomicNodeFSStorageAdapter) {
  const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
  let doc = Automerge.from<Tally>({ items: ["one"] });
  await storage.save([documentId, "snapshot", "s1"], Automerge.save(doc));
  for (const item of ["two", "three"]) {
    const heads = Automerge.getHeads(doc);
    doc = Automerge.change(doc, (d) => {
      d.items.push(item);
    });
    const bytes = Automerge.saveSince(doc, heads);
    await storage.save([documentId, "incremental", sha256Hex(bytes)], bytes);
  }
  return stringifyAutomergeUrl({ documentId });
}

describe("AtomicNodeFSStorageAdapter", () => {
  it("round-trips a document and leaves no temporary files", async () => {
    const url = await writeDoc(new AtomicNodeFSStorageAdapter(dir));
    expect((await files(dir)).filter((f) => f.includes(".tmp-"))).toEqual([]);
    expect(await files(dir)).toHaveLength(3);
    const repo = await openRepo(new AtomicNodeFSStorageAdapter(dir));
    const handle = await repo.find<Tally>(url);
    expect(handle.doc().items).toEqual(["one", "two", "three"]);
    await repo.shutdown();
  });

  it("reads data written by the stock NodeFSStorageAdapter (same layout)", async () => {
    const url = await writeDocWithRepo(new NodeFSStorageAdapter(dir));
    const repo = await openRepo(new AtomicNodeFSStorageAdapter(dir));
    expect((await repo.find<Tally>(url)).doc().items).toEqual(["one", "two", "three"]);
    await repo.shutdown();
  });

  it("quarantines a truncated incremental chunk and loads the rest", async () => {
    const url = await writeDoc(new AtomicNodeFSStorageAdapter(dir));
    const incrementals = (await files(dir)).filter((f) =>
      f.includes(`${path.sep}incremental${path.sep}`),
    );
    expect(incrementals.length).toBeGreaterThan(0);
    const sizes = await Promise.all(incrementals.map(async (f) => (await fs.stat(f)).size));
    const torn = incrementals[sizes.indexOf(Math.max(...sizes))]!;
    await fs.truncate(torn, Math.floor(Math.max(...sizes) / 2));

    const reports: QuarantinedFile[] = [];
    const storage = new AtomicNodeFSStorageAdapter(dir, { onQuarantine: (r) => reports.push(r) });
    const repo = await openRepo(storage);
    const handle = await repo.find<Tally>(url);
    expect(handle.doc().items[0]).toBe("one");
    expect(reports).toHaveLength(1);
    expect(reports[0]?.file).toBe(torn);
    await expect(fs.stat(torn)).rejects.toThrow();
    expect(await fs.stat(reports[0]!.movedTo)).toBeTruthy();
    expect(reports[0]!.movedTo.startsWith(path.join(dir, "quarantine"))).toBe(true);
    await repo.shutdown();
  });

  it("treats a document whose only snapshot is torn as absent instead of crashing", async () => {
    const first = new Repo({ storage: new AtomicNodeFSStorageAdapter(dir), saveDebounceRate: 0 });
    await first.storageId();
    const handle = first.create<Tally>({ items: ["x".repeat(2_000)] });
    await first.flush();
    await first.shutdown();
    const [snapshot] = (await files(dir)).filter((f) =>
      f.includes(`${path.sep}snapshot${path.sep}`),
    );
    await fs.truncate(snapshot!, 100);

    const storage = new AtomicNodeFSStorageAdapter(dir, { onQuarantine: () => {} });
    const repo = await openRepo(storage);
    const found = await repo.find<Tally>(handle.url, { allowableStates: ["ready", "unavailable"] });
    expect(found.state).toBe("unavailable");
    expect(storage.quarantined.map((q) => q.reason)).toEqual([expect.stringContaining("declares")]);
    await expect(repo.shutdown()).rejects.toThrow(/not ready/);
    await shutdownRepo(repo);
  });

  it("persists what a Repo writes through it", async () => {
    const url = await writeDocWithRepo(new AtomicNodeFSStorageAdapter(dir));
    const repo = await openRepo(new AtomicNodeFSStorageAdapter(dir));
    expect((await repo.find<Tally>(url)).doc().items).toEqual(["one", "two", "three"]);
    await repo.shutdown();
  });

  it("ignores temporary files and removes those a crash left behind", async () => {
    const url = await writeDoc(new AtomicNodeFSStorageAdapter(dir));
    const [snapshot] = (await files(dir)).filter((f) =>
      f.includes(`${path.sep}snapshot${path.sep}`),
    );
    const leftover = `${snapshot}.tmp-deadbeef0000`;
    await fs.writeFile(leftover, new Uint8Array([1, 2, 3]));
    const fresh = `${snapshot}.tmp-0123456789ab`;
    await fs.writeFile(fresh, new Uint8Array([4, 5, 6]));
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(leftover, anHourAgo, anHourAgo);
    const storage = new AtomicNodeFSStorageAdapter(dir, { onQuarantine: () => {} });
    const repo = await openRepo(storage);
    expect((await repo.find<Tally>(url)).doc().items).toEqual(["one", "two", "three"]);
    expect(storage.quarantined).toEqual([]);
    await expect(fs.stat(leftover)).rejects.toThrow();
    expect(await fs.stat(fresh)).toBeTruthy();
    await repo.shutdown();
  });
});
