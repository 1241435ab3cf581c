import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Logger, MemorySink } from '../../src/log/index.ts';
import { runBuildout, type InstallReport } from '../../src/buildout/index.ts';

/** Every workspace of this test file lives here, removed when the file's process ends. */
const WORKSPACES = mkdtempSync(join(tmpdir(), 'buildout-test-'));
process.on('exit', () => rmSync(WORKSPACES, { recursive: true, force: true }));

/** A fresh directory with the given files (paths relative to it). */
export function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(WORKSPACES, 'ws-'));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

export interface RunResult { report: InstallReport; log: string; output: string }

/** Runs the engine in-process in `dir`, collecting its log. */
export async function run(dir: string, argv: string[] = []): Promise<RunResult> {
  const sink = new MemorySink();
  let output = '';
  const report = await runBuildout({
    cwd: dir,
    argv,
    logger: new Logger({ sinks: [sink], level: 'info' }),
    output: (chunk) => { output += chunk.toString(); },
  });
  return { report, log: sink.text(), output };
}

/** The progress lines (`Installing a.` …) of a log, in order. */
export function progress(log: string): string[] {
  return [...log.matchAll(/\b((?:Installing|Updating|Uninstalling) [^\s]+\.)/g)].map((m) => m[1]!);
}
