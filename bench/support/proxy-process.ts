import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { residentMemory, type ResidentMemory } from './memory.ts';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How to run the `slapos` command. */
export interface SlaposCommand {
  /**
   * The CLI's main module: `src/cli/main.ts` of this checkout by default (run
   * through tsx), or a compiled `main.js` (run by node alone), e.g. from
   * `npx tsc -p tsconfig.json --outDir <dir>`.
   */
  cliMain?: string;
}

export const DEFAULT_CLI_MAIN = join(REPOSITORY_ROOT, 'src/cli/main.ts');

/** The argv (after `node`) that runs `slapos <args>`, from any working directory. */
export function slaposArgv(command: SlaposCommand, args: string[]): string[] {
  const main = command.cliMain ?? DEFAULT_CLI_MAIN;
  return main.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), main, ...args] : [main, ...args];
}

/** Child processes get this environment, not ours. */
export function childEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8' };
}

export interface ProxyProcess {
  url: string;
  pid: number;
  memory(): Promise<ResidentMemory>;
  /**
   * Resolves once the proxy has used (almost) no CPU for a while: requests a
   * load generator gave up on are still computed after it disconnects, and
   * must not be charged to the next measurement.
   */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

export interface ProxyProcessOptions extends SlaposCommand {
  computerId: string;
  logLevel: string;
  /** Where the proxy writes a V8 CPU profile (`node --cpu-prof`) when it stops. */
  cpuProfileDir?: string;
}

/** A port free on 127.0.0.1 now (the kernel's pick); the proxy binds it a moment later. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * `slapos proxy start` as its own process (so that the load generator does
 * not share its CPU time or heap), on 127.0.0.1. Its log goes to
 * `<dir>/proxy.log`.
 */
export async function startProxyProcess(dir: string, options: ProxyProcessOptions): Promise<ProxyProcess> {
  const cfg = join(dir, 'proxy.cfg');
  const logPath = join(dir, 'proxy.log');
  const port = await freePort();
  await writeFile(cfg, [
    '[slapos]', `computer_id = ${options.computerId}`, '',
    '[slapproxy]', `database_uri = ${join(dir, 'proxy.db')}`, 'host = 127.0.0.1', `port = ${port}`, '',
  ].join('\n'));
  const log = await open(logPath, 'w');
  let child: ChildProcess;
  try {
    const profiling = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
    child = spawn(process.execPath,
      [...profiling, ...slaposArgv(options, ['proxy', 'start', '--cfg', cfg, '--log-format', 'json', '--log-level', options.logLevel])],
      { cwd: dir, env: childEnvironment(), stdio: ['ignore', 'ignore', log.fd] });
  } finally {
    await log.close();
  }
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  await waitForAnswer(url, logPath, child);
  const pid = child.pid!;
  return {
    url,
    pid,
    memory: () => residentMemory(pid),
    idle: () => waitForIdle(pid),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Waits until the proxy answers getRunId, its cheapest call. */
async function waitForAnswer(url: string, logPath: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the proxy exited with status ${child.exitCode}: ${await readFile(logPath, 'utf8')}`);
    try {
      const answer = await fetch(`${url}/getRunId`);
      await answer.arrayBuffer();
      if (answer.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`the proxy did not answer within ${START_TIMEOUT_MS / 1000} s (log: ${logPath})`);
}

/** CPU time used so far by a live Linux process, in clock ticks (utime + stime of /proc/<pid>/stat). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const IDLE_SAMPLE_MS = 250;
/** Clock ticks (1/100 s) per sample below which the process counts as idle: under 8 % of a core. */
const IDLE_TICKS = 2;
const IDLE_TIMEOUT_MS = 120_000;

async function waitForIdle(pid: number): Promise<void> {
  const deadline = Date.now() + IDLE_TIMEOUT_MS;
  let previous = await cpuTicks(pid);
  let quietSamples = 0;
  while (quietSamples < 2) {
    if (Date.now() > deadline) throw new Error(`the proxy (pid ${pid}) stayed busy for ${IDLE_TIMEOUT_MS / 1000} s`);
    await sleep(IDLE_SAMPLE_MS);
    const now = await cpuTicks(pid);
    quietSamples = now - previous <= IDLE_TICKS ? quietSamples + 1 : 0;
    previous = now;
  }
}
