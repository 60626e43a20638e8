import { constants, createGzip } from "node:zlib";
import type { GzipCompressor } from "./package-codec.ts";

/**
 * Headquarters' gzip in Node: zlib at its fastest level on libuv's thread pool. Each piece of
 * text is written as soon as it is serialised and the event loop is let go once, so zlib
 * compresses one piece while the next rows are serialised, and packing a large catalog never
 * blocks the event loop for long. The output is standard gzip, read by every register alike.
 */
export const nodeGzip: GzipCompressor = async (pieces) => {
  const zip = createGzip({ level: constants.Z_BEST_SPEED });
  const chunks: Buffer[] = [];
  zip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    zip.once("end", resolve);
    zip.once("error", reject);
  });
  try {
    for (const piece of pieces) {
      zip.write(piece);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    zip.destroy();
    throw error;
  }
  zip.end();
  await finished;
  const compressed = Buffer.concat(chunks);
  return new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.byteLength);
};
