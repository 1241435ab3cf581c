/**
 * Compares this engine with Debian's zc.buildout 2.13.2 on the profiles of a
 * SlapOS/slapos checkout (software/*\/software*.cfg, software/*\/instance*.cfg,
 * stack/**\/*.cfg, component/*\/buildout.cfg): every section, option and
 * substituted value (`annotate --resolve`, no recipe run), offline. Prints a
 * summary and every difference; the checkout is only read.
 *
 *   git -C <SlapOS/slapos bare repo> archive HEAD | tar -x -C /tmp/slapos-profiles
 *   node --import tsx bench/buildout-profiles.ts /tmp/slapos-profiles [--timeout 120] [--jobs 2] [--match software/]
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { annotateConfiguration } from '../src/buildout/index.ts';
import { compareDumps, referencePython, runPythonJson, type Dump, type Sections } from '../test/buildout/differential/reference.ts';
import { machineLine } from './support/machine.ts';
import { positiveInteger } from './support/options.ts';
import { ms } from './support/stats.ts';

const ASSIGNMENTS = ['buildout:offline=true'];

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** The profiles of the checkout, sorted. */
async function profiles(checkout: string): Promise<string[]> {
  const found: string[] = [];
  const list = async (dir: string): Promise<string[]> => (await readdir(join(checkout, dir)).catch(() => [])).sort();
  for (const name of await list('software')) {
    for (const file of await list(join('software', name))) {
      if (/^(software|instance)[^/]*\.cfg$/.test(file)) found.push(join('software', name, file));
    }
  }
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await list(dir)) {
      const path = join(dir, entry);
      if (entry.endsWith('.cfg') && await isFile(join(checkout, path))) found.push(path);
      else if (!entry.includes('.')) await walk(path);
    }
  };
  await walk('stack');
  for (const name of await list('component')) {
    if (await isFile(join(checkout, 'component', name, 'buildout.cfg'))) found.push(join('component', name, 'buildout.cfg'));
  }
  return found;
}

async function ours(config: string): Promise<{ dump: Dump; ms: number }> {
  const start = performance.now();
  try {
    const assignments = ASSIGNMENTS.map((text) => {
      const [name, value] = text.split('=') as [string, string];
      const [section, option] = name.split(':') as [string, string];
      return { section, option, value };
    });
    const sections = await annotateConfiguration({ configFile: config, cwd: join(config, '..'), resolve: true, assignments }) as Sections;
    return { dump: { sections }, ms: performance.now() - start };
  } catch (error) {
    return { dump: { error: (error as Error).message }, ms: performance.now() - start };
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      timeout: { type: 'string', default: '120' },
      jobs: { type: 'string', default: '2' },
      match: { type: 'string', default: '' },
    },
  });
  const checkout = positionals[0];
  if (!checkout) throw new Error('usage: bench/buildout-profiles.ts <SlapOS/slapos checkout> [--timeout S] [--jobs N] [--match TEXT]');
  const timeout = positiveInteger(values.timeout, 'timeout');
  const jobs = positiveInteger(values.jobs, 'jobs');
  console.log(machineLine());
  const files = (await profiles(checkout)).filter((file) => file.includes(values.match));
  console.log(`${files.length} profiles under ${checkout}`);
  const dir = await mkdtemp(join(tmpdir(), 'slapos-bench-profiles-'));
  try {
    const python = await referencePython(dir);
    // Spread the profiles over `jobs` Python processes (zc.buildout is slow).
    const batches = Array.from({ length: jobs }, (_v, n) => files.filter((_f, i) => i % jobs === n));
    const started = performance.now();
    const answers = await Promise.all(batches.map((batch) => runPythonJson<(Dump | { timeout: number })[]>(python, 'dump.py',
      batch.map((file) => ({ config: join(checkout, file), resolve: true, assignments: ASSIGNMENTS, timeout })), dir)));
    const pythonMs = performance.now() - started;
    const reference = new Map<string, Dump | { timeout: number }>();
    batches.forEach((batch, n) => batch.forEach((file, i) => reference.set(file, answers[n]![i]!)));
    let identical = 0;
    let timedOut = 0;
    let bothFail = 0;
    let oursMs = 0;
    let options = 0;
    const differing: string[] = [];
    for (const file of files) {
      const expected = reference.get(file)!;
      const actual = await ours(join(checkout, file));
      oursMs += actual.ms;
      if ('timeout' in expected) { timedOut++; continue; }
      if ('error' in expected && 'error' in actual.dump) bothFail++;
      if ('sections' in actual.dump) for (const section of Object.values(actual.dump.sections)) options += Object.keys(section).length;
      const differences = compareDumps(relative(checkout, join(checkout, file)), expected, actual.dump);
      if (differences.length === 0) identical++;
      else differing.push(...differences);
    }
    console.log(`compared ${files.length - timedOut} profiles (${options} options): ${identical} identical `
      + `(${bothFail} of them fail in both, e.g. offline extends of URLs), ${files.length - timedOut - identical} differ; `
      + `${timedOut} skipped (zc.buildout over ${timeout} s)`);
    console.log(`time: this engine ${ms(oursMs)} ms for all, zc.buildout ${ms(pythonMs)} ms on ${jobs} processes`);
    for (const line of differing) console.log(line);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
