import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = fileURLToPath(import.meta.url);
const compiled = here.endsWith('.js');
const repoRoot = compiled ? new URL('../../../', import.meta.url) : new URL('../../', import.meta.url);

/** Absolute path of the repository checkout. */
export const REPO_ROOT = fileURLToPath(repoRoot);

/**
 * The argv prefix that runs the `slapos` CLI the same way the tests run: the
 * compiled dist/ when tests run compiled, the TypeScript sources through tsx
 * when they run with `npm run test:dev`.
 */
export function slaposArgv(): string[] {
  if (compiled) return [process.execPath, fileURLToPath(new URL('dist/src/cli/main.js', repoRoot))];
  const require = createRequire(import.meta.url);
  const loader = new URL(`file://${require.resolve('tsx/esm')}`).href;
  return [process.execPath, '--import', loader, fileURLToPath(new URL('src/cli/main.ts', repoRoot))];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `slapos ARGS...` as a child process and collects its output. */
export function runSlapos(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const [cmd, ...prefix] = slaposArgv();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, [...prefix, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/**
 * `slapos proxy start --cfg CFG` as a child process, resolved once it
 * listens; stopped by the test's end.
 */
export async function startProxyProcess(t: { after(fn: () => void): void }, cfg: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const [command, ...prefix] = slaposArgv();
  const proxy = spawn(command!, [...prefix, 'proxy', 'start', '--cfg', cfg], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => { proxy.kill('SIGTERM'); });
  let log = '';
  proxy.stderr.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    proxy.stderr.on('data', (chunk: string) => { log += chunk; if (log.includes('proxy listening')) resolve(); });
    proxy.on('exit', (code) => reject(new Error(`proxy exited (${code}): ${log}`)));
  });
}
