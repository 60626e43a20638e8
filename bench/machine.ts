import os from "node:os";

/** The machine a benchmark run measured, recorded next to its figures. */
export type MachineInfo = {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly nodeVersion: string;
  readonly date: string;
};

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    nodeVersion: process.version,
    date: new Date().toISOString(),
  };
}

/** One line describing the machine, for the README and the console. */
export function describeMachine(machine: MachineInfo): string {
  return (
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ` +
    `${machine.platform}, Node ${machine.nodeVersion}, ${machine.date.slice(0, 10)}`
  );
}
