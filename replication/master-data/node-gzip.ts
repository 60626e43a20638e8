import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";
import type { GzipCompressor } from "./package-codec.ts";

const gzipAsync = promisify(gzip);

/**
 * Headquarters' gzip in Node: zlib at its fastest level, run on libuv's thread pool so packing a
 * large catalog neither blocks the event loop nor crawls through CompressionStream's small
 * chunks. The output is standard gzip, read by every register (browser or Node) alike.
 */
export const nodeGzip: GzipCompressor = async (bytes) => {
  const compressed = await gzipAsync(bytes, { level: constants.Z_BEST_SPEED });
  return new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.byteLength);
};
