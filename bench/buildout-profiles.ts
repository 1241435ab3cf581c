/**
 * Compares this engine with Debian's zc.buildout 2.13.2 on the profiles of a
 * SlapOS/slapos checkout (software/*\/software*.cfg, software/*\/instance*.cfg,
 * stack/**\/*.cfg, component/*\/buildout.cfg): every section, option and
 * substituted value (`annotate --resolve`, no recipe run), offline, with
 * `${buildout:executable}` found as zc.buildout's own Python. Prints every
 * difference as it comes (zc.buildout works through chunks of profiles),
 * then a summary; the checkout is only read.
 *
 *   git -C <SlapOS/slapos bare repo> archive HEAD | tar -x -C /tmp/slapos-profiles
 *   node --import tsx bench/buildout-profiles.ts /tmp/slapos-profiles [--timeout 120] [--jobs 2] [--match software/] [--shard 1/3]
 *
 * `--shard K/N` keeps every N-th profile from the K-th on, so that a long run
 * can be split over several commands whose results come separately.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { annotateConfiguration, parseBuildoutArguments } from '../src/buildout/index.ts';
import { compareDumps, referencePython, referenceSearchPath, runPythonJson, type Dump, type Sections } from '../test/buildout/differential/reference.ts';
import { machineLine } from './support/machine.ts';
import { positiveInteger } from './support/options.ts';
import { ms } from './support/stats.ts';

const ASSIGNMENTS = ['buildout:offline=true'];
/** Profiles per zc.buildout process: results come early, and Python's start is paid rarely. */
const CHUNK = 8;

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

async function ours(config: string, searchPath: string): Promise<{ dump: Dump; ms: number }> {
  const start = performance.now();
  try {
    const { assignments } = parseBuildoutArguments(ASSIGNMENTS);
    const sections = await annotateConfiguration({ configFile: config, cwd: join(config, '..'), resolve: true, assignments, searchPath }) as Sections;
    return { dump: { sections }, ms: performance.now() - start };
  } catch (error) {
    return { dump: { error: (error as Error).message }, ms: performance.now() - start };
  }
}

/** What became of each profile. */
interface Tally {
  identical: number;
  bothFail: number;
  differ: number;
  timedOut: number;
  options: number;
  oursMs: number;
  pythonMs: number;
}

/** Runs zc.buildout on a chunk of profiles, then this engine, and prints what differs as it comes. */
async function compareChunk(chunk: readonly string[], checkout: string, python: string, dir: string, timeout: number, tally: Tally): Promise<void> {
  const started = performance.now();
  const answers = await runPythonJson<(Dump | { timeout: number })[]>(python, 'dump.py',
    chunk.map((file) => ({ config: join(checkout, file), resolve: true, assignments: ASSIGNMENTS, timeout })), dir);
  tally.pythonMs += performance.now() - started;
  for (const [index, file] of chunk.entries()) {
    const expected = answers[index]!;
    const actual = await ours(join(checkout, file), referenceSearchPath(python));
    tally.oursMs += actual.ms;
    if ('timeout' in expected) { tally.timedOut++; console.log(`${file}: skipped, zc.buildout over ${timeout} s (ours ${ms(actual.ms)} ms)`); continue; }
    if ('sections' in actual.dump) for (const section of Object.values(actual.dump.sections)) tally.options += Object.keys(section).length;
    const differences = compareDumps(file, expected, actual.dump);
    if (differences.length > 0) { tally.differ++; for (const line of differences) console.log(line); continue; }
    tally.identical++;
    if ('error' in expected) { tally.bothFail++; console.log(`${file}: fails in both (zc.buildout: ${expected.error.split('\n')[0]})`); }
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      timeout: { type: 'string', default: '120' },
      jobs: { type: 'string', default: '2' },
      match: { type: 'string', default: '' },
      shard: { type: 'string', default: '1/1' },
    },
  });
  const checkout = positionals[0];
  if (!checkout) throw new Error('usage: bench/buildout-profiles.ts <SlapOS/slapos checkout> [--timeout S] [--jobs N] [--match TEXT] [--shard K/N]');
  const parts = values.shard.split('/');
  if (parts.length !== 2) throw new Error(`--shard must be K/N, not ${JSON.stringify(values.shard)}`);
  const [shard, shards] = parts.map((part) => positiveInteger(part, 'shard')) as [number, number];
  if (shard > shards) throw new Error(`--shard ${values.shard}: K must be at most N`);
  const timeout = positiveInteger(values.timeout, 'timeout');
  const jobs = positiveInteger(values.jobs, 'jobs');
  console.log(machineLine());
  const files = (await profiles(checkout)).filter((file) => file.includes(values.match)).filter((_file, i) => i % shards === shard - 1);
  console.log(`${files.length} profiles under ${checkout}`);
  const dir = await mkdtemp(join(tmpdir(), 'slapos-bench-profiles-'));
  try {
    const python = await referencePython(dir);
    const chunks = Array.from({ length: Math.ceil(files.length / CHUNK) }, (_v, n) => files.slice(n * CHUNK, (n + 1) * CHUNK));
    const tally: Tally = { identical: 0, bothFail: 0, differ: 0, timedOut: 0, options: 0, oursMs: 0, pythonMs: 0 };
    const started = performance.now();
    // `jobs` zc.buildout processes at a time, each taking the next chunk.
    let next = 0;
    let done = 0;
    await Promise.all(Array.from({ length: jobs }, async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        await compareChunk(chunk, checkout, python, dir, timeout, tally);
        done += chunk.length;
        console.log(`-- ${done}/${files.length} profiles done, ${tally.differ} differ so far`);
      }
    }));
    const compared = files.length - tally.timedOut;
    console.log(`compared ${compared} profiles (${tally.options} options): ${tally.identical} identical `
      + `(${tally.bothFail} of them fail in both, e.g. offline extends of URLs), ${tally.differ} differ; `
      + `${tally.timedOut} skipped (zc.buildout over ${timeout} s)`);
    console.log(`time: this engine ${ms(tally.oursMs)} ms for all, zc.buildout ${ms(tally.pythonMs)} ms summed over its processes `
      + `(${jobs} at a time, ${ms(performance.now() - started)} ms wall for both)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
