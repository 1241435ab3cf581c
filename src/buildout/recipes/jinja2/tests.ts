import { Float, isFloat, numeric } from './numbers.ts';
import { Namespace } from './objects.ts';
import { compare, contains, pyEquals } from './python.ts';

/**
 * Jinja2's tests (`x is defined`, `select("odd")`, `selectattr("a",
 * "equalto", 1)`) with Python's idea of numbers, strings, mappings and
 * sequences. nunjucks' own tests know JS values only.
 */

export type Test = (value: unknown, ...args: unknown[]) => boolean;

function isMapping(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Set) && !(value instanceof String)
    && !(value instanceof Number) && !(value instanceof Namespace);
}

function isInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value);
}

function order(accept: (comparison: number) => boolean): Test {
  return (a, b) => accept(compare(a, b));
}

/** str.islower()/isupper(): at least one cased character, all of that case. */
function cased(value: unknown, which: 'lower' | 'upper'): boolean {
  const text = String(value);
  return /\p{L}/u.test(text) && text === (which === 'lower' ? text.toLowerCase() : text.toUpperCase());
}

export function pythonTests(): Record<string, Test> {
  const equal: Test = (a, b) => pyEquals(a, b);
  const tests: Record<string, Test> = {
    defined: (value) => value !== undefined,
    undefined: (value) => value === undefined,
    none: (value) => value === null,
    boolean: (value) => typeof value === 'boolean',
    true: (value) => value === true,
    false: (value) => value === false,
    integer: isInteger,
    float: (value) => value instanceof Float || isFloat(value),
    number: (value) => numeric(value) !== undefined,
    string: (value) => typeof value === 'string' || value instanceof String,
    mapping: isMapping,
    sequence: (value) => typeof value === 'string' || value instanceof String || Array.isArray(value) || isMapping(value),
    iterable: (value) => typeof value === 'string' || value instanceof String || Array.isArray(value) || value instanceof Set || isMapping(value),
    callable: (value) => typeof value === 'function',
    odd: (value) => isInteger(value) && Math.abs(value as number) % 2 === 1,
    even: (value) => isInteger(value) && (value as number) % 2 === 0,
    divisibleby: (value, n) => Number(numeric(value)) % Number(numeric(n)) === 0,
    lower: (value) => cased(value, 'lower'),
    upper: (value) => cased(value, 'upper'),
    sameas: (a, b) => a === b,
    escaped: (value) => value instanceof String,
    in: (value, container) => contains(container, value),
    equalto: equal, eq: equal, '==': equal,
    ne: (a, b) => !pyEquals(a, b), '!=': (a, b) => !pyEquals(a, b),
    lt: order((c) => c < 0), '<': order((c) => c < 0), lessthan: order((c) => c < 0),
    le: order((c) => c <= 0), '<=': order((c) => c <= 0),
    gt: order((c) => c > 0), '>': order((c) => c > 0), greaterthan: order((c) => c > 0),
    ge: order((c) => c >= 0), '>=': order((c) => c >= 0),
  };
  return tests;
}
