import { isValueDict, jsonDumps, pyStr } from '../../values.ts';
import { attribute, sorted, splitKeywords, toList, truth } from './python.ts';

type Filter = (this: FilterThis, value: unknown, ...args: unknown[]) => unknown;
/** nunjucks calls filters with its rendering context as `this`. */
interface FilterThis { env: { getFilter(name: string): unknown } }

/** `attribute="a.b,c"` → key function reading each (dotted) attribute, several giving a tuple. */
function attributeKey(spec: unknown): ((item: unknown) => unknown) | undefined {
  if (spec === undefined || spec === null) return undefined;
  const paths = String(spec).split(',').map((path) => path.trim().split('.'));
  const read = (item: unknown, path: string[]): unknown => path.reduce<unknown>((v, part) => attribute(v, /^\d+$/.test(part) ? Number(part) : part), item);
  return paths.length === 1 ? (item) => read(item, paths[0]!) : (item) => paths.map((path) => read(item, path));
}

/**
 * Jinja2 filters whose nunjucks version disagrees with Python values (sets,
 * dicts, keyword arguments, printing); the others are nunjucks' own.
 */
export function pythonFilters(): Record<string, Filter> {
  return {
    sort: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const key = attributeKey(keywords.attribute ?? positional[2]);
      return sorted(value, { key, reverse: truth(keywords.reverse ?? positional[0]) });
    },
    join: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const key = attributeKey(keywords.attribute ?? positional[1]);
      return toList(value).map((item) => pyStr(key ? key(item) : item)).join(pyStr(keywords.d ?? positional[0] ?? ''));
    },
    list: (value) => toList(value),
    length: (value) => (typeof value === 'string' ? value.length : value instanceof Set || value instanceof Map ? value.size : isValueDict(value) ? Object.keys(value).length : toList(value).length),
    count: (value) => (isValueDict(value) ? Object.keys(value).length : toList(value).length),
    unique: (value) => [...new Set(toList(value))],
    first: (value) => toList(value)[0],
    last: (value) => toList(value).at(-1),
    reverse: (value) => (typeof value === 'string' ? [...value].reverse().join('') : toList(value).reverse()),
    min: (value) => sorted(value)[0],
    max: (value) => sorted(value).at(-1),
    sum: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const key = attributeKey(keywords.attribute ?? positional[0]);
      return toList(value).reduce<number>((total, item) => total + Number(key ? key(item) : item), Number(keywords.start ?? positional[1] ?? 0));
    },
    dictsort: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const byValue = (keywords.by ?? positional[1]) === 'value';
      return sorted(Object.entries(value as Record<string, unknown>), { key: (pair) => (pair as [string, unknown])[byValue ? 1 : 0], reverse: truth(keywords.reverse ?? positional[2]) });
    },
    items: (value) => Object.entries(value as Record<string, unknown>),
    tojson: (value, ...a) => {
      const { positional, keywords } = splitKeywords(a);
      const indent = keywords.indent ?? positional[0];
      return jsonDumps(value, { sortKeys: true, indent: indent === undefined || indent === null ? undefined : Number(indent) })
        .replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026').replaceAll("'", '\\u0027');
    },
    string: (value) => pyStr(value),
    int: (value, fallback = 0) => { const n = parseInt(pyStr(value), 10); return Number.isNaN(n) ? fallback : n; },
    float: (value, fallback = 0) => { const n = Number(pyStr(value)); return Number.isNaN(n) ? fallback : n; },
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
