import * as Automerge from "@automerge/automerge";
import {
  type BinaryDocumentId,
  type DocHandle,
  type DocumentId,
  parseAutomergeUrl,
  type Repo,
  stringifyAutomergeUrl,
} from "@automerge/automerge-repo";

/**
 * How a peer finds each document without being told: every document id is derived from a name
 * (`sales-log/<store>/<register>/<day>` ...), so the retail server can open a register's day log
 * the moment it knows the register and the day.
 *
 * Two processes may create the same named document independently (the register while offline,
 * the server when it first looks for the log). They never diverge at the root because the first
 * change is a *deterministic genesis*: made with an actor id and timestamp derived from the
 * name, it is byte-identical wherever it is made, so both copies share one history and later
 * changes (written with the repo's usual random actor) merge normally.
 */

/** The kinds of named documents, one per row of the design's document table. */
export const DOCUMENT_KINDS = [
  "sales-log",
  "posting-record",
  "replica-status",
  "store-configuration",
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** A document's name: its kind and the parts that identify it (store, register, day). */
export type DocumentName = {
  readonly kind: DocumentKind;
  readonly parts: readonly string[];
};

/** Raised when a name part could make two different names collide. */
export class DocumentNameError extends Error {
  readonly code = "POS_REPL_DOC_NAME";
  constructor(part: string) {
    super(`Document name part ${JSON.stringify(part)} is empty or contains "/"; use plain ids.`);
    this.name = "DocumentNameError";
  }
}

/** The canonical text of a name, e.g. `sales-log/s1/r2/2024-05-01`. */
export function documentNameText(name: DocumentName): string {
  for (const part of name.parts) {
    if (part.length === 0 || part.includes("/")) throw new DocumentNameError(part);
  }
  return [name.kind, ...name.parts].join("/");
}

async function sha256(text: string): Promise<Uint8Array> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(digest);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The document id of a name: the first 16 bytes of SHA-256 of `pos-document/<name>`. */
export async function namedDocumentId(name: DocumentName): Promise<DocumentId> {
  const digest = await sha256(`pos-document/${documentNameText(name)}`);
  return parseAutomergeUrl(stringifyAutomergeUrl(digest.slice(0, 16) as BinaryDocumentId))
    .documentId;
}

/**
 * The genesis of a named document: one change holding `initial`, made by an actor derived from
 * the name at time 0, so every process produces the same bytes and the same change hash.
 */
export async function namedGenesis<T extends Record<string, unknown>>(
  name: DocumentName,
  initial: T,
): Promise<Uint8Array> {
  const actor = hex((await sha256(`pos-actor/${documentNameText(name)}`)).slice(0, 16));
  const doc = Automerge.change(
    Automerge.init<T>({ actor }),
    { time: 0, message: `genesis ${documentNameText(name)}` },
    (d) => {
      Object.assign(d, initial);
    },
  );
  return Automerge.save(doc);
}

/**
 * Opens the named document in `repo`, creating it from its genesis when this repo has never
 * held it. Never waits for the network: what peers hold arrives by sync, and merges because
 * the roots are identical. Data already in local storage is loaded first.
 */
export async function openNamedDocument<T>(
  repo: Repo,
  name: DocumentName,
  initial: Record<string, unknown>,
): Promise<DocHandle<T>> {
  const documentId = await namedDocumentId(name);
  const cached = repo.handles[documentId] as DocHandle<T> | undefined;
  if (cached?.inState(["loading"])) {
    // A load from storage is under way: it replaces the document when done, so wait for it.
    await cached.whenReady(["ready", "requesting", "unavailable"]);
  }
  if (cached?.isReady()) return cached;
  if (!cached && (await repo.storageSubsystem?.loadDocData(documentId))) {
    return repo.find<T>(documentId);
  }
  const handle = repo.import<T>(await namedGenesis(name, initial), { docId: documentId });
  await handle.whenReady(["ready"]);
  return handle;
}
