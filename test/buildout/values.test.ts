import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonDumps, pyRepr } from '../../src/buildout/values.ts';

test('jsonDumps: Python separators; sort_keys leaves boxed numbers and strings as their values', () => {
  assert.equal(jsonDumps({ b: 1, a: [true, null] }), '{"b": 1, "a": [true, null]}');
  // eslint-disable-next-line @typescript-eslint/no-wrapper-object-types
  const boxed: { n: Number; s: String } = { n: new Number(2.5), s: new String('x') };
  assert.equal(jsonDumps(boxed, { sortKeys: true }), '{"n": 2.5, "s": "x"}');
});

test('pyRepr: containers print their items with the printer given', () => {
  assert.equal(pyRepr({ a: ['x', 1, null] }), "{'a': ['x', 1, None]}");
  assert.equal(pyRepr([['x'], new Set(['y'])], (item) => (Array.isArray(item) ? 'LIST' : pyRepr(item))), "[LIST, {'y'}]");
});
