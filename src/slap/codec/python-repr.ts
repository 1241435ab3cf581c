import { unencodableError } from './errors.ts';
import { comparePyStrings, pyFloatRepr, pyIntText, pyStringRepr } from './python-text.ts';
import { isMarshalDict, PyFloat, PyObject, PyTuple } from './values.ts';

/**
 * Python's `str()` of a parameter value, which is what the instance XML
 * stores: text stays as is, everything else becomes its Python repr
 * (`8080`, `1.5`, `True`, `None`, `[1, 'x']`, `{'k': 'v'}`, `('a',)`).
 *
 * Python prints a dictionary in insertion order, which for parameters that
 * came over the wire is key order; dictionaries are printed in key order here,
 * because JavaScript objects cannot keep the insertion order of keys such as
 * `'3'` (array indexes always come first).
 */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value, new Set());
}

function pyRepr(value: unknown, open: Set<object>): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? pyIntText(value) : pyFloatRepr(value);
  if (typeof value === 'bigint') return pyIntText(value);
  if (typeof value === 'string') return pyStringRepr(value);
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (value instanceof PyTuple) {
    const items = nested(value, open, () => value.items.map((item) => pyRepr(item, open)));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  // Python prints a container met again inside itself as [...] / {...}.
  if (Array.isArray(value)) return open.has(value) ? '[...]' : `[${nested(value, open, () => value.map((item) => pyRepr(item, open))).join(', ')}]`;
  if (value instanceof PyObject || !isMarshalDict(value)) throw unencodableError(`a ${describe(value)} has no text form for instance parameters`);
  if (open.has(value)) return '{...}';
  const entries = nested(value, open, () => Object.keys(value).sort(comparePyStrings).map((key) => `${pyStringRepr(key)}: ${pyRepr(value[key], open)}`));
  return `{${entries.join(', ')}}`;
}

function nested(container: object, open: Set<object>, render: () => string[]): string[] {
  open.add(container);
  try {
    return render();
  } finally {
    open.delete(container);
  }
}

function describe(value: unknown): string {
  return value instanceof PyObject ? `${value.module}.${value.className} object` : `value of type ${typeof value}`;
}
