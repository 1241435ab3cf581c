import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { formatSpec } from '../../src/buildout/recipes/jinja2/format-spec.ts';
import { float, floatRepr, round } from '../../src/buildout/recipes/jinja2/numbers.ts';
import { repr, str } from '../../src/buildout/recipes/jinja2/objects.ts';

/**
 * Python's printing of numbers in templates (repr of floats, round(),
 * str.format specs), checked against the real python3 on generated values:
 * one Python run per property, on a batch of cases.
 */

const PYTHON = '/usr/bin/python3';

/** Runs `expression` (over `case`) in python3 for every case; returns the results as strings. */
function python(expression: string, cases: unknown[]): string[] {
  const script = `import json, sys\nprint(json.dumps([str(${expression}) for case in json.load(sys.stdin)]))`;
  const result = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as string[];
}

/** Finite doubles over many magnitudes (JSON carries them exactly; -0 does not survive JSON). */
const doubles = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));

test('jinja2 numbers: a float prints as Python repr() prints it', () => {
  const values = fc.sample(doubles, 400).concat([0, 1, 2, 1e16, 1e15, 1.2345678901234568e17, 1e-4, 1e-5, 0.1, 2.5, 1e22, -3]);
  const expected = python('repr(float(case))', values);
  values.forEach((value, i) => assert.equal(floatRepr(value), expected[i], `repr(${value})`));
  // Integral floats keep their ".0" through str() and inside containers.
  assert.equal(str(float(4)), '4.0');
  assert.equal(repr([float(2), 3, 0.5]), '[2.0, 3, 0.5]');
});

test('jinja2 numbers: round() rounds halves to even and keeps ints ints, as Python does', () => {
  const cases = fc.sample(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => !Object.is(x, -0)), fc.integer({ min: 0, max: 4 })), 300)
    .concat([[2.5, 0], [3.5, 0], [0.125, 2], [0.375, 2], [2.675, 2], [-2.5, 0], [1.005, 2]]);
  const expected = python('repr(round(float(case[0]), case[1]))', cases);
  cases.forEach(([value, digits], i) => assert.equal(repr(round(float(value), digits)), expected[i], `round(${value}, ${digits})`));
  const withoutDigits = python('repr(round(float(case)))', [2.5, 3.5, -0.5, 7.49]);
  assert.deepEqual([2.5, 3.5, -0.5, 7.49].map((value) => repr(round(float(value)))), withoutDigits);
  assert.equal(repr(round(7)), '7');
});

test('jinja2 numbers: str.format specs give what Python format() gives', () => {
  const intSpecs = ['', '>8', '<6', '^7', '*^9', '05d', '+d', ' d', ',', '_', 'x', '#x', 'X', 'o', 'b', '08.3f', '.2%', 'e', '=+10'];
  const floatSpecs = ['', '>12', '.2f', '010.3f', '+.1f', ',.2f', '.3e', 'E', '.4g', 'g', '.3', '.1', '%', '#.3g', '^15.4'];
  const ints = fc.sample(fc.integer({ min: -1e9, max: 1e9 }), 60);
  const floats = fc.sample(fc.double({ min: -1e12, max: 1e12, noNaN: true }).filter((x) => !Object.is(x, -0)), 60).concat([0.5, 2, 1e-7, 1234567.0]);
  const cases: [number, string, boolean][] = [
    ...ints.flatMap((value) => intSpecs.map((spec): [number, string, boolean] => [value, spec, false])),
    ...floats.flatMap((value) => floatSpecs.map((spec): [number, string, boolean] => [value, spec, true])),
  ];
  const expected = python('format(float(case[0]) if case[2] else int(case[0]), case[1])', cases);
  cases.forEach(([value, spec, isFloat], i) => {
    assert.equal(formatSpec(isFloat ? float(value) : value, spec, str), expected[i], `format(${value}${isFloat ? ' as float' : ''}, '${spec}')`);
  });
  assert.equal(formatSpec('ab', '>5', str), '   ab');
  assert.equal(formatSpec('abcdef', '.3', str), 'abc');
});
