import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { isValueDict, pyRepr } from '../../values.ts';
import { Float, floatRepr } from './numbers.ts';

/**
 * The Python values templates handle that JS has no type for (tuples,
 * namedtuples, dict views, iterators, Jinja2's namespace), how JS values
 * stand for the others (dicts, SafeStrings), and how all of them print
 * (repr/str).
 */

/** A plain JS object used as a Python dict (not a list, set, string, function or SafeString). */
export function isDict(value: unknown): value is Record<string, unknown> {
  return isValueDict(value) && !(value instanceof Map) && !(value instanceof Namespace) && !(value instanceof PyIterator) && !(value instanceof Number)
    && !isSafeString(value) && typeof value !== 'function';
}

/** nunjucks' SafeString (macro results, `|safe`) is a String object. */
export function isSafeString(value: unknown): value is string {
  return value instanceof String;
}

/**
 * A Python tuple: an array (so nunjucks indexes, iterates and unpacks it)
 * that prints with parentheses, compares unequal to a list and has no
 * mutating methods. Array methods on it give plain arrays.
 */
export class Tuple extends Array<unknown> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

export function tuple(items: Iterable<unknown> = []): Tuple {
  const result = new Tuple();
  for (const item of items) result.push(item);
  return Object.freeze(result) as Tuple;
}

/** A namedtuple (the `(grouper, list)` of `|groupby`): a tuple whose items are also attributes. */
export class NamedTuple extends Tuple {
  typeName = '';
  fieldNames: string[] = [];
}

export function namedTuple(typeName: string, fields: Record<string, unknown>): NamedTuple {
  const result = new NamedTuple();
  result.typeName = typeName;
  result.fieldNames = Object.keys(fields);
  result.push(...Object.values(fields));
  return Object.freeze(result) as NamedTuple;
}

/** `dict.keys()`, `values()`, `items()`: a list that prints as Python's view does (`dict_keys(['a'])`). */
export class DictView extends Array<unknown> {
  kind = '';

  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

export function dictView(kind: 'dict_keys' | 'dict_values' | 'dict_items', items: readonly unknown[]): DictView {
  const result = new DictView();
  result.kind = kind;
  result.push(...items);
  return Object.freeze(result) as DictView;
}

/** A Python iterator (`iter(x)`, `itertools.count()`): what `next()` advances; `for` runs it to its end. */
export class PyIterator {
  constructor(private readonly source: Iterator<unknown>) {}

  [Symbol.iterator](): Iterator<unknown> {
    return this.source;
  }

  /** The next item, or `fallback` (when given) once exhausted. */
  next(...fallback: unknown[]): unknown {
    const step = this.source.next();
    if (!step.done) return step.value;
    if (fallback.length > 0) return fallback[0];
    throw new BuildoutError(BuildoutErrorCode.TEMPLATE, 'StopIteration: next() on an exhausted iterator');
  }
}

/** Jinja2's `namespace(...)`: the one object `{% set ns.attr = … %}` may assign to. */
export class Namespace {
  constructor(readonly attributes: Record<string, unknown>) {}
}

/** Python's repr(): lists, tuples, sets and dicts print their items' repr. */
export function repr(value: unknown): string {
  if (value instanceof NamedTuple) return `${value.typeName}(${value.fieldNames.map((name, i) => `${name}=${repr(value[i])}`).join(', ')})`;
  if (value instanceof DictView) return `${value.kind}(${repr([...value])})`;
  if (value instanceof Tuple) return `(${value.map((item) => repr(item)).join(', ')}${value.length === 1 ? ',' : ''})`;
  if (value instanceof Namespace) return `<Namespace ${repr(value.attributes)}>`;
  if (value instanceof PyIterator) return '<iterator object>';
  if (isSafeString(value)) return pyRepr(String(value));
  if (value instanceof Float || (typeof value === 'number' && !Number.isInteger(value))) return floatRepr(Number(value));
  return pyRepr(value, repr);
}

/**
 * A template value as the rest of the engine knows values (typed options,
 * JSON): integral floats as numbers, tuples as lists, macro output as
 * strings, a namespace as its dict.
 */
export function plain(value: unknown): unknown {
  if (value instanceof Number || value instanceof String) return value.valueOf();
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Set) return new Set([...value].map(plain));
  if (value instanceof Namespace) return plain(value.attributes);
  if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}

/** Python's str(): strings as they are, anything else as repr() shows it. */
export function str(value: unknown): string {
  return typeof value === 'string' || isSafeString(value) ? String(value) : repr(value);
}
