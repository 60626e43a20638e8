import type { Repo } from "@automerge/automerge-repo";

/**
 * Shuts a repo down without the failure of `Repo.shutdown()` in automerge-repo 2.5.6, which
 * throws "DocHandle is not ready" when any document is still loading or was found unavailable:
 * it disconnects every network adapter first (no new changes arrive), then saves only the
 * documents that are ready. Documents not ready hold nothing unsaved.
 */
export async function shutdownRepo(repo: Repo): Promise<void> {
  for (const adapter of repo.networkSubsystem.adapters) adapter.disconnect();
  const ready = Object.values(repo.handles)
    .filter((handle) => handle.isReady())
    .map((handle) => handle.documentId);
  await repo.flush(ready);
}
