import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annotateConfiguration, parseBuildoutArguments } from '../../../src/buildout/index.ts';
import { compareDumps, FIXTURES, referencePython, referenceSearchPath, referenceUnavailable, runPythonJson, type Dump, type Sections } from './reference.ts';

/**
 * The configuration language against the real zc.buildout: every case of
 * test/fixtures/buildout-differential/config/ (extends chains through `../`,
 * shared files, `+=`/`-=`, macros, substitution, `$${`, conditional headers,
 * `_profile_base_location_`, `${buildout:executable}`, continuation and
 * comment lines, bad input) is merged and resolved by this engine and by
 * Debian's zc.buildout, then compared option by option, raw and substituted.
 */
const CASES = join(FIXTURES, 'config');

/** Cases also run with command-line assignments (resolved). */
const WITH_ASSIGNMENTS: Record<string, string[]> = {
  executable: ['buildout:executable=/opt/python/bin/python3'],
};

/**
 * Cases where this engine deliberately answers differently (docs/COMPATIBILITY.md):
 * an extends loop through `../` paths is reported (zc.buildout recurses until
 * Python's stack is exhausted), and a header expression outside the supported
 * subset is refused instead of being run.
 */
const DELIBERATE = new Set(['error-condition']);

async function ours(config: string, resolve: boolean, searchPath: string, assignments: string[] = []): Promise<Dump> {
  try {
    const options = { configFile: config, cwd: join(config, '..'), resolve, searchPath, assignments: parseBuildoutArguments(assignments).assignments };
    return { sections: await annotateConfiguration(options) as Sections };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const unavailable = await referenceUnavailable();

test('configuration cases: the same sections, options and values as zc.buildout', { skip: unavailable }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'buildout-differential-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases = readdirSync(CASES).sort();
  cpSync(CASES, join(dir, 'cases'), { recursive: true });
  const config = (name: string): string => join(dir, 'cases', name, 'buildout.cfg');
  const jobs = [
    ...cases.flatMap((name) => [false, true].map((resolve) => ({ name, resolve, config: config(name), assignments: [] as string[] }))),
    ...Object.entries(WITH_ASSIGNMENTS).map(([name, assignments]) => ({ name, resolve: true, config: config(name), assignments })),
  ];
  const python = await referencePython(join(dir, 'python'));
  const expected = await runPythonJson<Dump[]>(python, 'dump.py', jobs, dir);
  const differences: string[] = [];
  for (const [index, job] of jobs.entries()) {
    const actual = await ours(job.config, job.resolve, referenceSearchPath(python), job.assignments);
    const label = `${job.name}${job.resolve ? ' (resolved)' : ''}${job.assignments.length > 0 ? ` ${job.assignments.join(' ')}` : ''}`;
    if (DELIBERATE.has(job.name)) {
      assert.ok('error' in actual, `${label}: expected our error`);
      continue;
    }
    differences.push(...compareDumps(label, expected[index]!, actual));
  }
  assert.equal(differences.join('\n'), '');
});

test('bad input: one error naming the file (and the section and option), never a hang', async () => {
  const expectations: [string, RegExp][] = [
    ['error-missing-extends', /nothere\.cfg/],
    ['error-extends-loop', /Recursive file include.*buildout\.cfg/s],
    ['error-condition', /error-condition\/buildout\.cfg, line 3/],
    ['error-not-utf8', /error-not-utf8\/buildout\.cfg.*UTF-8/s],
  ];
  for (const [name, pattern] of expectations) {
    const result = await ours(join(CASES, name, 'buildout.cfg'), true, '');
    assert.ok('error' in result, `${name} must fail`);
    assert.match(result.error, pattern, name);
  }
  const macros = await ours(join(CASES, 'error-macro-missing', 'buildout.cfg'), true, '');
  assert.ok('sections' in macros);
  assert.match(JSON.stringify(macros.sections.user), /No section named 'nosuch'/);
  assert.equal(macros.sections.fine?.y, '2');
  const noPython = await ours(join(CASES, 'executable', 'buildout.cfg'), true, '/nonexistent');
  assert.ok('sections' in noPython);
  assert.equal(noPython.sections.buildout?.executable, undefined, 'no python3 on PATH: no default');
  assert.match(JSON.stringify(noPython.sections.python?.interpreter), /Referenced option does not exist: buildout:executable\\nWhile reading python:interpreter/);
});
