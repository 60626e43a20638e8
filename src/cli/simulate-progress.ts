import type { SimulationProgress } from "../simulator/simulation.ts";

/** Progress on stderr: a bar redrawn in place on a terminal, one plain line per event otherwise. */
export function stderrProgress(
  write: (text: string) => void,
  isTTY: boolean,
  total: number,
): SimulationProgress & { finish(): void } {
  let done = 0;
  let last = "";
  let phase = "starting";
  const draw = () => {
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
    const text = `${bar} ${done}/${total} sales  ${phase}${last ? `  | ${last}` : ""}`;
    write(`\r\x1b[2K${text.slice(0, 120)}`);
  };
  return {
    phase(name) {
      phase = name;
      if (isTTY) draw();
      else write(`simulate: ${name}\n`);
    },
    step(atMs, description) {
      last = `${(atMs / 1000).toFixed(1)}s ${description}`;
      if (isTTY) draw();
      else write(`simulate: ${last}\n`);
    },
    sale(count, of) {
      done = count;
      if (isTTY) draw();
      else if (count === of || count % 5 === 0) write(`simulate: ${count}/${of} sales\n`);
    },
    finish() {
      if (isTTY) write("\n");
    },
  };
}
