import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** What a figure was measured on: results mean nothing without it. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  /** 1, 5 and 15 minute load averages when the benchmark started (other work on the machine). */
  load: [number, number, number];
  node: string;
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  const [one, five, fifteen] = loadavg();
  const gib = (bytes: number) => Math.round((bytes / 1024 ** 3) * 10) / 10;
  return {
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    load: [one ?? 0, five ?? 0, fifteen ?? 0],
    node: process.version,
  };
}

export function machineLine(info: MachineInfo = machineInfo()): string {
  const load = info.load.map((value) => value.toFixed(2)).join(' ');
  return `machine: ${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB RAM (${info.freeMemoryGiB} free), load ${load}, node ${info.node}`;
}
