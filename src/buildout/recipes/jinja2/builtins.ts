import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { isValueDict } from '../../values.ts';
import { range, six } from './modules.ts';
import { abs, addNumbers, float, numeric, round, toFloat } from './numbers.ts';
import { plain, PyIterator, repr, str, tuple } from './objects.ts';
import { extreme, namespace, sorted, splitKeywords, toList, truth } from './python.ts';

type Callable = (...args: unknown[]) => unknown;

function int(value: unknown, base?: unknown): number {
  const number = numeric(value);
  if (number !== undefined) return Math.trunc(number);
  const text = str(value).trim();
  const radix = base === undefined ? 10 : Number(base);
  const valid = radix === 10 ? /^[-+]?\d+$/ : radix === 16 ? /^[-+]?(0x)?[0-9a-f]+$/i : radix === 8 ? /^[-+]?(0o)?[0-7]+$/i : /^[-+]?\w+$/;
  if (!valid.test(text)) throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `invalid literal for int() with base ${radix}: ${repr(text)}`);
  return parseInt(text.replace(/^([-+]?)0[xo]/i, '$1'), radix);
}

function minMax(which: 'min' | 'max'): Callable {
  return (...args: unknown[]) => {
    const { positional, keywords } = splitKeywords(args);
    const items = positional.length === 1 ? toList(positional[0]) : positional;
    if (items.length === 0 && 'default' in keywords) return keywords.default;
    return extreme(items, which, keywords.key as Callable | undefined);
  };
}

/**
 * The globals every template sees without a context line: Python builtins,
 * `six`, `dumps` and an `assert` helper, as the Python recipe provides them.
 */
export function templateGlobals(dumps: (value: unknown) => string): Record<string, unknown> {
  return {
    // nunjucks only knows lowercase true/false/none as literals.
    True: true,
    False: false,
    None: null,
    len: (x: unknown) => (typeof x === 'string' ? [...x].length : x instanceof Set || x instanceof Map ? x.size : isValueDict(x) ? Object.keys(x).length : toList(x).length),
    sorted: (...a: unknown[]) => { const { positional, keywords } = splitKeywords(a); return sorted(positional[0], { key: keywords.key as Callable | undefined, reverse: truth(keywords.reverse) }); },
    int,
    float: (x: unknown = 0) => {
      const n = toFloat(x);
      if (Number.isNaN(n)) throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `could not convert string to float: ${repr(x)}`);
      return float(n);
    },
    str: (x: unknown = '') => str(x),
    repr: (x: unknown) => repr(x),
    bool: (x: unknown) => truth(x),
    list: (x: unknown = []) => toList(x),
    tuple: (x: unknown = []) => tuple(toList(x)),
    set: (x: unknown = []) => new Set(toList(x)),
    frozenset: (x: unknown = []) => new Set(toList(x)),
    dict: (...a: unknown[]) => {
      const { positional, keywords } = splitKeywords(a);
      const base = positional[0] === undefined ? {} : isValueDict(positional[0]) ? { ...positional[0] } : Object.fromEntries(toList(positional[0]) as [string, unknown][]);
      return { ...base, ...keywords };
    },
    min: minMax('min'),
    max: minMax('max'),
    sum: (xs: unknown, start: unknown = 0) => toList(xs).reduce(addNumbers, start),
    abs,
    any: (xs: unknown) => toList(xs).some(truth),
    all: (xs: unknown) => toList(xs).every(truth),
    enumerate: (xs: unknown, start = 0) => toList(xs).map((x, i) => tuple([i + Number(start), x])),
    zip: (...xs: unknown[]) => { const lists = xs.map(toList); const n = Math.min(...lists.map((l) => l.length)); return range(n).map((i) => tuple(lists.map((l) => l[i]))); },
    reversed: (xs: unknown) => toList(xs).reverse(),
    iter: (xs: unknown) => (xs instanceof PyIterator ? xs : new PyIterator(toList(xs)[Symbol.iterator]())),
    next: (iterator: unknown, ...fallback: unknown[]) => {
      if (!(iterator instanceof PyIterator)) throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `'${typeof iterator}' object is not an iterator`);
      return iterator.next(...fallback);
    },
    range: (...a: unknown[]) => range(...(a.map(Number) as [number, number?, number?])),
    map: (f: Callable, xs: unknown) => toList(xs).map((x) => f(x)),
    filter: (f: Callable | null, xs: unknown) => toList(xs).filter((x) => truth(f === null ? x : f(x))),
    getattr: (o: Record<string, unknown>, name: unknown, ...fallback: unknown[]) => (o !== null && typeof o === 'object' && String(name) in o ? o[String(name)] : fallback[0]),
    hasattr: (o: Record<string, unknown>, name: unknown) => o !== null && typeof o === 'object' && String(name) in o,
    chr: (n: unknown) => String.fromCodePoint(Number(n)),
    ord: (c: unknown) => String(c).codePointAt(0),
    hex: (n: unknown) => `0x${Number(n).toString(16)}`,
    oct: (n: unknown) => `0o${Number(n).toString(8)}`,
    round,
    six,
    // Jinja2's own globals.
    namespace,
    dumps: (value: unknown) => dumps(plain(value)),
    assert: (condition: unknown, ...message: unknown[]) => {
      if (!truth(condition)) throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `assertion failed${message.length > 0 ? `: ${message.map(str).join(' ')}` : ''}`);
      return '';
    },
  };
}
