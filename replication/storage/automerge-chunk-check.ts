import { createHash } from "node:crypto";

const MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const;
const CHUNK_DOCUMENT = 0;
const CHUNK_CHANGE = 1;
const CHUNK_COMPRESSED_CHANGE = 2;

/**
 * Checks that `bytes` is a whole sequence of Automerge chunks, as automerge-repo stores them
 * (a snapshot is one document chunk; an incremental save is one or more change chunks): every
 * chunk starts with the magic bytes, its declared length fits, and the data ends exactly at a
 * chunk boundary. Document and change chunks also carry a checksum, which is verified.
 *
 * Returns null when the bytes are whole, else why not. A write cut short by a crash fails here
 * before Automerge ever sees it.
 */
export function checkAutomergeChunks(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return "empty file";
  let offset = 0;
  let index = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 10) return `chunk ${index}: header cut short at byte ${offset}`;
    for (let i = 0; i < MAGIC.length; i++) {
      if (bytes[offset + i] !== MAGIC[i]) return `chunk ${index}: bad magic bytes at ${offset}`;
    }
    const type = bytes[offset + 8];
    let cursor = offset + 9;
    let length = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[cursor++];
      if (byte === undefined) return `chunk ${index}: length cut short`;
      length += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
      if (shift > 49) return `chunk ${index}: length too large`;
    }
    const end = cursor + length;
    if (end > bytes.length) {
      return `chunk ${index}: declares ${length} bytes, only ${bytes.length - cursor} present`;
    }
    if (type === CHUNK_DOCUMENT || type === CHUNK_CHANGE) {
      const digest = createHash("sha256")
        .update(bytes.subarray(offset + 8, cursor))
        .update(bytes.subarray(cursor, end))
        .digest();
      for (let i = 0; i < 4; i++) {
        if (digest[i] !== bytes[offset + 4 + i]) return `chunk ${index}: checksum mismatch`;
      }
    } else if (type !== CHUNK_COMPRESSED_CHANGE) {
      return `chunk ${index}: unknown chunk type ${type}`;
    }
    offset = end;
    index++;
  }
  return null;
}

/** SHA-256 of `bytes` in lower-case hex, as automerge-repo names incremental chunks. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
