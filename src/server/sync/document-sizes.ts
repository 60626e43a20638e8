import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";

/**
 * Storage that knows how many bytes each document takes on disk: it wraps the repo's storage
 * adapter and counts the snapshot and incremental chunks it saves, loads and removes, so the sync
 * endpoint can refuse changes that would make a document larger than `POS_MAX_DOCUMENT_BYTES`
 * without serialising the document. A document not loaded since the start counts as 0 until it
 * is loaded (automerge-repo loads every chunk of a document before it syncs it).
 */
export class DocumentSizes implements StorageAdapterInterface {
  readonly #inner: StorageAdapterInterface;
  /** Document id -> chunk key (joined) -> bytes. */
  readonly #chunks = new Map<string, Map<string, number>>();

  constructor(inner: StorageAdapterInterface) {
    this.#inner = inner;
  }

  /** Bytes the document's stored chunks take, as far as this process has seen them. */
  bytesOf(documentId: string): number {
    let total = 0;
    for (const bytes of this.#chunks.get(documentId)?.values() ?? []) total += bytes;
    return total;
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const data = await this.#inner.load(key);
    if (data !== undefined) this.#record(key, data.byteLength);
    return data;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    await this.#inner.save(key, data);
    this.#record(key, data.byteLength);
  }

  async remove(key: StorageKey): Promise<void> {
    await this.#inner.remove(key);
    this.#chunks.get(key[0] ?? "")?.delete(key.join("/"));
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const chunks = await this.#inner.loadRange(keyPrefix);
    for (const chunk of chunks) {
      if (chunk.data !== undefined) this.#record(chunk.key, chunk.data.byteLength);
    }
    return chunks;
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    await this.#inner.removeRange(keyPrefix);
    const chunks = this.#chunks.get(keyPrefix[0] ?? "");
    if (chunks === undefined) return;
    const prefix = keyPrefix.join("/");
    for (const key of [...chunks.keys()]) if (key.startsWith(prefix)) chunks.delete(key);
  }

  #record(key: StorageKey, bytes: number): void {
    const [documentId, kind] = key;
    if (documentId === undefined || (kind !== "snapshot" && kind !== "incremental")) return;
    let chunks = this.#chunks.get(documentId);
    if (chunks === undefined) {
      chunks = new Map();
      this.#chunks.set(documentId, chunks);
    }
    chunks.set(key.join("/"), bytes);
  }
}
