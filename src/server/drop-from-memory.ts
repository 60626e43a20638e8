import type { DocumentId, Repo } from "@automerge/automerge-repo";

/**
 * Saves a document and drops it from the repo's memory; the next `find` loads it from storage.
 *
 * `Repo.removeFromCache` alone is not safe in automerge-repo 2.5.6: unloading the handle empties
 * its document, which fires the repo's throttled save with an empty document, and that save
 * compacts the stored chunks into an empty snapshot: the document is lost from disk. Every
 * listener is taken off the handle first (it is being discarded), so nothing saves it again.
 */
export async function dropFromMemory(repo: Repo, documentId: DocumentId): Promise<void> {
  const handle = repo.handles[documentId];
  if (handle === undefined) return;
  if (handle.isReady()) await repo.flush([documentId]);
  handle.removeAllListeners();
  await repo.removeFromCache(documentId);
}
