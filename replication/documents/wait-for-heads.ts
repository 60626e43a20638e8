import type { DocHandle, Heads } from "@automerge/automerge-repo";

/** Raised when two replicas of a document did not converge within the allowed time. */
export class HeadsMismatchTimeoutError extends Error {
  readonly code = "POS_REPL_HEADS_TIMEOUT";
  readonly documentId: string;

  constructor(documentId: string, timeoutMs: number, left: Heads, right: Heads) {
    super(
      `Document ${documentId} did not converge within ${timeoutMs} ms ` +
        `(heads ${left.join(",") || "none"} vs ${right.join(",") || "none"}). ` +
        "Check that both peers are connected and that the link is not cut.",
    );
    this.name = "HeadsMismatchTimeoutError";
    this.documentId = documentId;
  }
}

function sameHeads(left: Heads, right: Heads): boolean {
  if (left.length !== right.length) return false;
  const sorted = [...right].sort();
  return [...left].sort().every((head, index) => head === sorted[index]);
}

function headsOf(handle: DocHandle<unknown>): Heads {
  return handle.isReady() ? handle.heads() : [];
}

/**
 * Resolves once every handle holds exactly the same heads (the same history), or rejects with
 * {@link HeadsMismatchTimeoutError} after `timeoutMs`. The handles are usually replicas of one
 * document in different repos; it never polls, it listens to their `heads-changed` events.
 */
export function waitForHeads(
  handles: readonly DocHandle<unknown>[],
  options: { readonly timeoutMs?: number } = {},
): Promise<Heads> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const [first] = handles;
  if (!first) return Promise.resolve([]);
  return new Promise<Heads>((resolve, reject) => {
    const converged = (): boolean =>
      first.isReady() && handles.every((h) => h.isReady() && sameHeads(headsOf(first), h.heads()));
    const cleanup = (): void => {
      clearTimeout(timer);
      for (const handle of handles) handle.off("heads-changed", check);
    };
    const check = (): void => {
      if (!converged()) return;
      cleanup();
      resolve(first.heads());
    };
    const timer = setTimeout(() => {
      cleanup();
      const other = handles.find((h) => !sameHeads(headsOf(first), headsOf(h))) ?? first;
      reject(
        new HeadsMismatchTimeoutError(first.documentId, timeoutMs, headsOf(first), headsOf(other)),
      );
    }, timeoutMs);
    for (const handle of handles) handle.on("heads-changed", check);
    check();
  });
}
