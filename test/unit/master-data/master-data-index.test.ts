import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { FileMasterDataIndex } from "../../../replication/master-data/file-master-data-index.ts";
import { IndexedDbMasterDataIndex } from "../../../replication/master-data/indexeddb-master-data-index.ts";
import { MemoryMasterDataIndex } from "../../../replication/master-data/memory-master-data-index.ts";
import { describeMasterDataIndex } from "./master-data-index-conformance.ts";

describeMasterDataIndex("memory", {
  create: async () => new MemoryMasterDataIndex(),
});

let directory: string | undefined;
describeMasterDataIndex("file", {
  create: async () => {
    directory = await mkdtemp(join(tmpdir(), "pos-md-index-"));
    return FileMasterDataIndex.open(directory);
  },
  reopen: async (index) => {
    await index.close();
    return FileMasterDataIndex.open(directory!);
  },
  cleanup: async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  },
});

let factory = new IDBFactory();
describeMasterDataIndex("indexeddb", {
  create: async () => {
    factory = new IDBFactory();
    return IndexedDbMasterDataIndex.open("master-data", { indexedDB: factory, IDBKeyRange });
  },
  reopen: async (index) => {
    await index.close();
    return IndexedDbMasterDataIndex.open("master-data", { indexedDB: factory, IDBKeyRange });
  },
});
