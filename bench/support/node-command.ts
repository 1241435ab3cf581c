import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { residentMemory } from './memory.ts';
import { childEnvironment, slaposArgv, type SlaposCommand } from './proxy-process.ts';

export interface CommandRun {
  code: number | null;
  wallMs: number;
  /** Highest VmHWM seen while the process ran (its peak resident memory, to within the last sample). */
  peakRssBytes: number;
  stderr: string;
}

const RSS_SAMPLE_MS = 20;
const COMMAND_TIMEOUT_MS = 300_000;

/**
 * Runs `slapos <args>` as a child process, timing it from spawn to exit and
 * sampling its peak memory. `nodeFlags` go to node itself (e.g. `--cpu-prof`).
 */
export async function runSlaposCommand(command: SlaposCommand, args: string[], cwd: string, nodeFlags: string[] = []): Promise<CommandRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, ...slaposArgv(command, args)], {
    cwd, env: childEnvironment(), stdio: ['ignore', 'ignore', 'pipe'], timeout: COMMAND_TIMEOUT_MS,
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  let peakRssBytes = 0;
  const sample = () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    residentMemory(child.pid).then(({ peakRssBytes: peak }) => { peakRssBytes = Math.max(peakRssBytes, peak); }, () => undefined);
  };
  const sampler = setInterval(sample, RSS_SAMPLE_MS);
  try {
    const [code] = await exited;
    return { code, wallMs: performance.now() - started, peakRssBytes, stderr };
  } finally {
    clearInterval(sampler);
  }
}

/** Fails with the command's own words when it did not succeed. */
export function assertSucceeded(run: CommandRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited with status ${run.code}:\n${run.stderr.slice(-4000)}`);
}
