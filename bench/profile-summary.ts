import { readFile } from "node:fs/promises";

/**
 * Summarises a V8 CPU profile (from `node --cpu-prof`): the functions with the most self time,
 * and the share of samples spent inside our own folders. Used to find where a missed goal's
 * time goes.
 *
 * Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 */

type ProfileNode = {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
};

type CpuProfile = {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
};

const [file, topArg] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: profile-summary <file.cpuprofile> [top]");
const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const byFrame = new Map<string, number>();
let total = 0;
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  if (node === undefined) continue;
  total += micros;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\/.*?\/(node_modules|work\/main)\//, "$1/");
  const label = `${functionName || "(anonymous)"} ${where}${url ? `:${lineNumber + 1}` : ""}`;
  byFrame.set(label, (byFrame.get(label) ?? 0) + micros);
}
const top = [...byFrame.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25));
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
for (const [label, micros] of top) {
  console.log(
    `${(micros / 1000).toFixed(0).padStart(7)} ms ${((micros / total) * 100).toFixed(1).padStart(5)}%  ${label}`,
  );
}
