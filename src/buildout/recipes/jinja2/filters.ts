import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { isValueDict, jsonDumps } from '../../values.ts';
import { abs, addNumbers, float, numeric, round, toFloat } from './numbers.ts';
import { quote } from './modules.ts';
import { SafeString } from './nunjucks-internals.ts';
import { pythonTests } from './tests.ts';
import { isDict, namedTuple, plain, repr, str, tuple } from './objects.ts';
import { attribute, extreme, items, percentFormat, pyEquals, sorted, splitKeywords, toList, truth } from './python.ts';

type Filter = (this: FilterThis, value: unknown, ...args: unknown[]) => unknown;
/** nunjucks calls filters with its rendering context as `this`. */
interface FilterThis { env: { getFilter(name: string): unknown } }

type Key = (item: unknown) => unknown;

/**
 * `attribute="a.b,c"` → key function reading each (dotted) attribute, several
 * giving a tuple; `postprocess` applies to each attribute read.
 */
function attributeKey(spec: unknown, postprocess: Key = (value) => value): Key | undefined {
  if (spec === undefined || spec === null) return undefined;
  const paths = String(spec).split(',').map((path) => path.trim().split('.'));
  const read = (item: unknown, path: string[]): unknown => postprocess(path.reduce<unknown>((v, part) => attribute(v, /^\d+$/.test(part) ? Number(part) : part), item));
  return paths.length === 1 ? (item) => read(item, paths[0]!) : (item) => tuple(paths.map((path) => read(item, path)));
}

/** Jinja2 compares strings case-insensitively unless `case_sensitive` is true. */
function ignoreCase(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

/** The sort/min/max/unique key: attributes (or the item), case-folded unless `caseSensitive`. */
function comparisonKey(spec: unknown, caseSensitive: unknown): Key {
  const postprocess = truth(caseSensitive) ? undefined : ignoreCase;
  return attributeKey(spec, postprocess) ?? postprocess ?? ((item) => item);
}

/** `|min` and `|max`: (case_sensitive=False, attribute=None). */
function minMaxFilter(which: 'min' | 'max'): Filter {
  return (value, ...a) => {
    const { positional, keywords } = splitKeywords(a);
    const list = toList(value);
    if (list.length === 0) return undefined;
    return extreme(list, which, comparisonKey(keywords.attribute ?? positional[1], keywords.case_sensitive ?? positional[0]));
  };
}

/**
 * `select`/`reject` (`attribute` undefined) and `selectattr`/`rejectattr`:
 * items whose value passes the named test (truthiness without a test).
 */
function selection(keep: boolean, byAttribute: boolean): Filter {
  const tests = pythonTests();
  return (value, ...a) => {
    const { positional } = splitKeywords(a);
    const [read, rest] = byAttribute ? [attributeKey(positional[0])!, positional.slice(1)] : [(item: unknown) => item, positional];
    const [name, ...args] = rest;
    const test = name === undefined ? truth : tests[String(name)];
    if (test === undefined) throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `no test named ${repr(String(name))}`);
    return toList(value).filter((item) => test(read(item), ...args) === keep);
  };
}

/** markupsafe's escaping; escaped text is not escaped twice. */
const escape: Filter = (value) => (value instanceof SafeString ? value
  : new SafeString(str(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&#34;').replaceAll("'", '&#39;')));

/**
 * Jinja2 filters whose nunjucks version disagrees with Python values (sets,
 * dicts, keyword arguments, printing); the others are nunjucks' own.
 */
export function pythonFilters(): Record<string, Filter> {
  return {
    sort: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const key = comparisonKey(keywords.attribute ?? positional[2], keywords.case_sensitive ?? positional[1]);
      return sorted(value, { key, reverse: truth(keywords.reverse ?? positional[0]) });
    },
    join: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const key = attributeKey(keywords.attribute ?? positional[1]);
      return toList(value).map((item) => str(key ? key(item) : item)).join(str(keywords.d ?? positional[0] ?? ''));
    },
    list: (value) => toList(value),
    length: (value) => (typeof value === 'string' ? value.length : value instanceof Set || value instanceof Map ? value.size : isValueDict(value) ? Object.keys(value).length : toList(value).length),
    count: (value) => (isValueDict(value) ? Object.keys(value).length : toList(value).length),
    unique: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const key = comparisonKey(keywords.attribute ?? positional[1], keywords.case_sensitive ?? positional[0]);
      const seen: unknown[] = [];
      return toList(value).filter((item) => {
        const k = key(item);
        if (seen.some((s) => pyEquals(s, k))) return false;
        seen.push(k);
        return true;
      });
    },
    first: (value) => toList(value)[0],
    last: (value) => toList(value).at(-1),
    reverse: (value) => (typeof value === 'string' ? [...value].reverse().join('') : toList(value).reverse()),
    min: minMaxFilter('min'),
    max: minMaxFilter('max'),
    sum: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const key = attributeKey(keywords.attribute ?? positional[0]);
      return toList(value).reduce((total, item) => addNumbers(total, key ? key(item) : item), keywords.start ?? positional[1] ?? 0);
    },
    dictsort: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const position = (keywords.by ?? positional[1]) === 'value' ? 1 : 0;
      const caseSensitive = truth(keywords.case_sensitive ?? positional[0]);
      const key: Key = (pair) => { const k = (pair as unknown[])[position]; return caseSensitive ? k : ignoreCase(k); };
      return sorted(items(value as Record<string, unknown>), { key, reverse: truth(keywords.reverse ?? positional[2]) });
    },
    items: (value) => items(value as Record<string, unknown>),
    groupby: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const spec = keywords.attribute ?? positional[0];
      const fallback = keywords.default ?? positional[1];
      const read = attributeKey(spec) ?? ((item) => item);
      const grouper: Key = (item) => read(item) ?? fallback;
      const compared = comparisonKey(spec, keywords.case_sensitive ?? positional[2]);
      const key: Key = (item) => compared(item) ?? fallback;
      const groups: { key: unknown; list: unknown[] }[] = [];
      for (const item of sorted(value, { key })) {
        const k = key(item);
        const last = groups.at(-1);
        if (last !== undefined && pyEquals(last.key, k)) last.list.push(item);
        else groups.push({ key: k, list: [item] });
      }
      // The grouper keeps the case of the group's first item.
      return groups.map((group) => namedTuple('_GroupTuple', { grouper: grouper(group.list[0]), list: group.list }));
    },
    tojson: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const indent = keywords.indent ?? positional[0];
      return jsonDumps(plain(value), { sortKeys: true, indent: indent === undefined || indent === null ? undefined : Number(indent) })
        .replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026').replaceAll("'", '\\u0027');
    },
    string: (value) => str(value),
    format: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      return percentFormat(str(value), Object.keys(keywords).length > 0 ? keywords : tuple(positional));
    },
    int: (value, fallback = 0) => { const n = parseInt(str(value), 10); return Number.isNaN(n) ? fallback : n; },
    float: (value, fallback = float(0)) => { const n = toFloat(value); return Number.isNaN(n) ? fallback : float(n); },
    abs,
    round: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const precision = Number(keywords.precision ?? positional[0] ?? 0);
      const method = String(keywords.method ?? positional[1] ?? 'common');
      if (method === 'common') return round(value, precision);
      const scale = 10 ** precision;
      const number = numeric(value) ?? Number.NaN;
      return float((method === 'ceil' ? Math.ceil(number * scale) : Math.floor(number * scale)) / scale);
    },
    indent: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const width = keywords.width ?? positional[0] ?? 4;
      const indention = typeof width === 'string' ? width : ' '.repeat(Number(width));
      const lines = `${str(value)}\n`.split(/\r\n|\r|\n/).slice(0, -1);
      // Blank lines stay blank unless `blank`; the first line is indented only with `first`.
      const blank = truth(keywords.blank ?? positional[2]);
      const body = lines.map((line, i) => (i === 0 || (line === '' && !blank) ? line : indention + line)).join('\n');
      return truth(keywords.first ?? positional[1]) ? indention + body : body;
    },
    escape,
    e: escape,
    urlencode: (value) => {
      if (!(Array.isArray(value) || isDict(value))) return quote(str(value), '/');
      // Query strings: nothing kept, spaces as `+`.
      const field = (part: unknown): string => quote(str(part), '').replaceAll('%20', '+');
      const pairs = Array.isArray(value) ? (value as unknown[][]) : Object.entries(value);
      return pairs.map(([key, item]) => `${field(key)}=${field(item)}`).join('&');
    },
    select: selection(true, false),
    reject: selection(false, false),
    selectattr: selection(true, true),
    rejectattr: selection(false, true),
    map(this: FilterThis, value, ...a) {
      const { positional, keywords } = splitKeywords(a);
      const key = attributeKey(keywords.attribute);
      if (key) return toList(value).map((item) => key(item) ?? keywords.default);
      // map('upper') applies another filter, found in the rendering environment.
      const filter = this.env.getFilter(String(positional[0])) as Filter;
      return toList(value).map((item) => filter.call(this, item, ...positional.slice(1)));
    },
  };
}
