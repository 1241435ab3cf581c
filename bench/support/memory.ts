import { readFile } from 'node:fs/promises';

/** Resident set size now and at its highest (VmRSS, VmHWM), in bytes, of a live Linux process. */
export interface ResidentMemory {
  rssBytes: number;
  peakRssBytes: number;
}

function field(status: string, name: string, pid: number): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (match === null) throw new Error(`/proc/${pid}/status has no ${name} line`);
  return Number(match[1]) * 1024;
}

export async function residentMemory(pid: number): Promise<ResidentMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rssBytes: field(status, 'VmRSS', pid), peakRssBytes: field(status, 'VmHWM', pid) };
}
