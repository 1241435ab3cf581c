import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { isValueDict, pyRepr, pyStr } from '../../values.ts';
import { range, six } from './modules.ts';
import { splitKeywords, sorted, toList, truth } from './python.ts';

type Callable = (...args: unknown[]) => unknown;

function int(value: unknown, base?: unknown): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'boolean') return Number(value);
  const text = pyStr(value).trim();
  const radix = base === undefined ? 10 : Number(base);
  const valid = radix === 10 ? /^[-+]?\d+$/ : radix === 16 ? /^[-+]?(0x)?[0-9a-f]+$/i : radix === 8 ? /^[-+]?(0o)?[0-7]+$/i : /^[-+]?\w+$/;
  if (!valid.test(text)) throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `invalid literal for int() with base ${radix}: ${pyRepr(text)}`);
  return parseInt(text.replace(/^([-+]?)0[xo]/i, '$1'), radix);
}

function minMax(pick: (a: number) => boolean): Callable {
  return (...args: unknown[]) => {
    const { positional, keywords } = splitKeywords(args);
    const items = positional.length === 1 ? toList(positional[0]) : positional;
    if (items.length === 0) {
      if ('default' in keywords) return keywords.default;
      throw new BuildoutError(BuildoutErrorCode.TEMPLATE, 'min()/max() arg is an empty sequence');
    }
    const order = sorted(items, { key: keywords.key as Callable | undefined });
    return pick(1) ? order.at(-1) : order[0];
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
    float: (x: unknown) => { const n = Number(pyStr(x).trim()); if (Number.isNaN(n)) throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `could not convert string to float: ${pyRepr(x)}`); return n; },
    str: (x: unknown = '') => pyStr(x),
    repr: (x: unknown) => pyRepr(x),
    bool: (x: unknown) => truth(x),
    list: (x: unknown = []) => toList(x),
    tuple: (x: unknown = []) => toList(x),
    set: (x: unknown = []) => new Set(toList(x)),
    frozenset: (x: unknown = []) => new Set(toList(x)),
    dict: (...a: unknown[]) => {
      const { positional, keywords } = splitKeywords(a);
      const base = positional[0] === undefined ? {} : isValueDict(positional[0]) ? { ...positional[0] } : Object.fromEntries(toList(positional[0]) as [string, unknown][]);
      return { ...base, ...keywords };
    },
    min: minMax(() => false),
    max: minMax(() => true),
    sum: (xs: unknown, start = 0) => toList(xs).reduce<number>((a, b) => a + Number(b), Number(start)),
    abs: (x: unknown) => Math.abs(Number(x)),
    any: (xs: unknown) => toList(xs).some(truth),
    all: (xs: unknown) => toList(xs).every(truth),
    enumerate: (xs: unknown, start = 0) => toList(xs).map((x, i) => [i + Number(start), x]),
    zip: (...xs: unknown[]) => { const lists = xs.map(toList); const n = Math.min(...lists.map((l) => l.length)); return range(n).map((i) => lists.map((l) => l[i])); },
    reversed: (xs: unknown) => toList(xs).reverse(),
    range: (...a: unknown[]) => range(...(a.map(Number) as [number, number?, number?])),
    map: (f: Callable, xs: unknown) => toList(xs).map((x) => f(x)),
    filter: (f: Callable | null, xs: unknown) => toList(xs).filter((x) => truth(f === null ? x : f(x))),
    getattr: (o: Record<string, unknown>, name: unknown, ...fallback: unknown[]) => (o !== null && typeof o === 'object' && String(name) in o ? o[String(name)] : fallback[0]),
    hasattr: (o: Record<string, unknown>, name: unknown) => o !== null && typeof o === 'object' && String(name) in o,
    chr: (n: unknown) => String.fromCodePoint(Number(n)),
    ord: (c: unknown) => String(c).codePointAt(0),
    hex: (n: unknown) => `0x${Number(n).toString(16)}`,
    oct: (n: unknown) => `0o${Number(n).toString(8)}`,
    round: (n: unknown, digits = 0) => Number(Number(n).toFixed(Number(digits))),
    six,
    dumps,
    assert: (condition: unknown, ...message: unknown[]) => {
      if (!truth(condition)) throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `assertion failed${message.length > 0 ? `: ${message.map(pyStr).join(' ')}` : ''}`);
      return '';
    },
  };
}
