import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { isValueDict, pyRepr, pyStr } from '../../values.ts';

/**
 * Python semantics for Jinja2 templates rendered by nunjucks: truthiness,
 * `in`, `%`, `+`, printing, and the str/list/dict/set methods SlapOS
 * templates call. Compiled templates reach these through the `__py` global
 * (see compile.ts), so nothing global is patched.
 */

type Callable = (...args: unknown[]) => unknown;

function isKeywords(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && (value as { __keywords?: unknown }).__keywords === true;
}

/** nunjucks passes keyword arguments as objects marked `__keywords` (`name=v` last, `**d` where written). */
export function splitKeywords(args: unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const keywords: Record<string, unknown> = {};
  for (const arg of args.filter(isKeywords)) Object.assign(keywords, arg);
  delete keywords.__keywords;
  return { positional: args.filter((arg) => !isKeywords(arg)), keywords };
}

/** `**mapping` in a call. */
export function keywords(mapping: unknown): Record<string, unknown> {
  return { ...(mapping as Record<string, unknown>), __keywords: true };
}

function templateError(message: string): BuildoutError {
  return new BuildoutError(BuildoutErrorCode.TEMPLATE, message);
}

/** A plain JS object used as a Python dict (not a list, set, string, function or SafeString). */
function isDict(value: unknown): value is Record<string, unknown> {
  return isValueDict(value) && !(value instanceof Map) && !isSafeString(value) && typeof value !== 'function';
}

/** nunjucks' SafeString (macro results, `|safe`) is a String object. */
function isSafeString(value: unknown): value is string {
  return value instanceof String;
}

export function truth(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '' || Number.isNaN(value)) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Set || value instanceof Map) return value.size > 0;
  if (isSafeString(value)) return String(value) !== '';
  if (isDict(value)) return Object.keys(value).length > 0;
  return true;
}

export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && pyEquals(a[k], b[k]));
  }
  return false;
}

export function contains(target: unknown, item: unknown): boolean {
  const container = isSafeString(target) ? String(target) : target;
  if (typeof container === 'string') return container.includes(pyStr(item));
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  if (container instanceof Set) return container.has(item) || [...container].some((x) => pyEquals(x, item));
  if (container instanceof Map) return container.has(item);
  if (isDict(container)) return typeof item === 'string' && Object.prototype.hasOwnProperty.call(container, item);
  throw templateError(`argument of type '${typeof container}' is not iterable`);
}

/** What `for x in value` iterates: dict keys, set members, string characters. */
export function iterate(value: unknown): unknown {
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return [...value.keys()];
  if (typeof value === 'string') return [...value];
  if (isDict(value)) return Object.keys(value);
  return value;
}

export function toList(value: unknown): unknown[] {
  const items = iterate(value);
  if (Array.isArray(items)) return [...items];
  if (items === undefined || items === null) throw templateError("'NoneType' object is not iterable");
  if (typeof items === 'object' && Symbol.iterator in items) return [...(items as Iterable<unknown>)];
  throw templateError(`'${typeof items}' object is not iterable`);
}

function compare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const sa = pyStr(x);
  const sb = pyStr(y);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function sorted(iterable: unknown, options: { key?: Callable; reverse?: boolean } = {}): unknown[] {
  const key = options.key ?? ((x: unknown) => x);
  const items = toList(iterable).map((item) => ({ item, k: key(item) }));
  items.sort((a, b) => compare(a.k, b.k));
  if (options.reverse) items.reverse();
  return items.map(({ item }) => item);
}

/** Python `%` string formatting (`%s %d %r %f %x %o %%`, mapping keys, width and precision). */
export function percentFormat(format: string, args: unknown): string {
  const positional = Array.isArray(args) ? args : [args];
  let index = 0;
  const next = (): unknown => {
    if (index >= positional.length) throw templateError('not enough arguments for format string');
    return positional[index++];
  };
  const result = format.replace(/%(\(([^)]*)\))?([-+ #0]*)(\d+|\*)?(?:\.(\d+))?([sdirfFxXoeEgGc%])/g,
    (_all, _m, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conversion: string) => {
      if (conversion === '%') return '%';
      const value = key !== undefined ? (args as Record<string, unknown>)[key] : next();
      let text: string;
      switch (conversion) {
        case 's': text = pyStr(value); break;
        case 'r': text = pyRepr(value); break;
        case 'd': case 'i': text = String(Math.trunc(Number(value))); break;
        case 'f': case 'F': text = Number(value).toFixed(precision === undefined ? 6 : Number(precision)); break;
        case 'x': text = Math.trunc(Number(value)).toString(16); break;
        case 'X': text = Math.trunc(Number(value)).toString(16).toUpperCase(); break;
        case 'o': text = Math.trunc(Number(value)).toString(8); break;
        case 'c': text = typeof value === 'number' ? String.fromCharCode(value) : pyStr(value); break;
        default: text = String(Number(value)); break;
      }
      if (conversion === 's' && precision !== undefined) text = text.slice(0, Number(precision));
      const size = width === undefined || width === '*' ? 0 : Number(width);
      if (flags.includes('+') && /^[dif]$/.test(conversion) && Number(value) >= 0) text = `+${text}`;
      if (flags.includes('-')) return text.padEnd(size);
      return flags.includes('0') && conversion !== 's' ? text.padStart(size, '0') : text.padStart(size);
    });
  return result;
}

export function modulo(left: unknown, right: unknown): unknown {
  if (typeof left === 'string') return percentFormat(left, right);
  const a = Number(left);
  const b = Number(right);
  return ((a % b) + b) % b;
}

export function add(left: unknown, right: unknown): unknown {
  if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  if (typeof left === 'string' || typeof right === 'string') {
    if (typeof left !== 'string' || typeof right !== 'string') {
      throw templateError(`can only concatenate str (not "${typeof (typeof left === 'string' ? right : left)}") to str`);
    }
    return left + right;
  }
  return (left as number) + (right as number);
}

/** `a ~ b`: both sides as Python prints them. */
export function concat(left: unknown, right: unknown): string {
  return `${String(output(left))}${String(output(right))}`;
}

/** What `{{ value }}` prints: Python's str(); printing an undefined value is an error (StrictUndefined). */
export function output(value: unknown): unknown {
  if (value === undefined) throw templateError('undefined value printed (a variable or attribute is not defined)');
  if (isSafeString(value)) return value;
  return pyStr(value);
}

/** `str.split(sep=None, maxsplit=-1)` */
function split(text: string, separator?: unknown, maxsplit = -1): string[] {
  if (separator === undefined || separator === null) {
    const words = text.trim().split(/\s+/).filter(Boolean);
    if (maxsplit < 0 || words.length <= maxsplit) return words;
    const result: string[] = [];
    let rest = text.trimStart();
    for (let i = 0; i < maxsplit; i++) {
      const match = /^(\S+)\s+/.exec(rest);
      if (!match) break;
      result.push(match[1]!);
      rest = rest.slice(match[0].length);
    }
    if (rest !== '') result.push(rest);
    return result;
  }
  const parts = text.split(String(separator));
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(String(separator))];
}

function stripChars(text: string, chars: unknown, where: 'both' | 'start' | 'end'): string {
  if (chars === undefined || chars === null) return where === 'both' ? text.trim() : where === 'start' ? text.trimStart() : text.trimEnd();
  const set = new Set(String(chars));
  let start = 0;
  let end = text.length;
  if (where !== 'end') while (start < end && set.has(text[start]!)) start++;
  if (where !== 'start') while (end > start && set.has(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** `str.format` with positional `{}`/`{0}` and keyword `{name}` fields. */
function strFormat(text: string, args: unknown[]): string {
  const { positional, keywords } = splitKeywords(args);
  let auto = 0;
  return text.replace(/\{\{|\}\}|\{([^{}:!]*)(?:![rs])?(?::[^{}]*)?\}/g, (all, field: string | undefined) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    const name = field ?? '';
    const value = name === '' ? positional[auto++] : /^\d+$/.test(name) ? positional[Number(name)] : keywords[name];
    return pyStr(value);
  });
}

function stringMethod(text: string, name: string): Callable | undefined {
  const methods: Record<string, Callable> = {
    split: (...a) => { const { positional, keywords } = splitKeywords(a); return split(text, positional[0] ?? keywords.sep, Number(positional[1] ?? keywords.maxsplit ?? -1)); },
    rsplit: (sep) => split(text, sep),
    strip: (chars) => stripChars(text, chars, 'both'),
    lstrip: (chars) => stripChars(text, chars, 'start'),
    rstrip: (chars) => stripChars(text, chars, 'end'),
    startswith: (p) => (Array.isArray(p) ? p.some((x) => text.startsWith(String(x))) : text.startsWith(String(p))),
    endswith: (p) => (Array.isArray(p) ? p.some((x) => text.endsWith(String(x))) : text.endsWith(String(p))),
    replace: (a, b, count) => {
      if (count === undefined) return text.split(String(a)).join(String(b));
      const parts = text.split(String(a));
      return [...parts.slice(0, Number(count) + 1)].join(String(b)) + (parts.length > Number(count) + 1 ? String(a) + parts.slice(Number(count) + 1).join(String(a)) : '');
    },
    format: (...a) => strFormat(text, a),
    join: (items) => toList(items).map((x) => pyStr(x)).join(text),
    upper: () => text.toUpperCase(),
    lower: () => text.toLowerCase(),
    title: () => text.replace(/\w\S*/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
    capitalize: () => text.charAt(0).toUpperCase() + text.slice(1).toLowerCase(),
    splitlines: () => text.split(/\r\n|\r|\n/).filter((_line, i, all) => i < all.length - 1 || all[i] !== ''),
    find: (sub) => text.indexOf(String(sub)),
    rfind: (sub) => text.lastIndexOf(String(sub)),
    index: (sub) => { const i = text.indexOf(String(sub)); if (i < 0) throw templateError('substring not found'); return i; },
    count: (sub) => text.split(String(sub)).length - 1,
    isdigit: () => /^\d+$/.test(text),
    isalnum: () => /^[\p{L}\p{N}]+$/u.test(text),
    isalpha: () => /^\p{L}+$/u.test(text),
    encode: () => text,
    decode: () => text,
    zfill: (width) => (text.startsWith('-') ? `-${text.slice(1).padStart(Number(width) - 1, '0')}` : text.padStart(Number(width), '0')),
    partition: (sep) => { const i = text.indexOf(String(sep)); return i < 0 ? [text, '', ''] : [text.slice(0, i), String(sep), text.slice(i + String(sep).length)]; },
    rpartition: (sep) => { const i = text.lastIndexOf(String(sep)); return i < 0 ? ['', '', text] : [text.slice(0, i), String(sep), text.slice(i + String(sep).length)]; },
  };
  return methods[name];
}

function listMethod(list: unknown[], name: string): Callable | undefined {
  const methods: Record<string, Callable> = {
    append: (x) => { list.push(x); return null; },
    extend: (xs) => { list.push(...toList(xs)); return null; },
    insert: (i, x) => { list.splice(Number(i), 0, x); return null; },
    pop: (i) => { if (list.length === 0) throw templateError('pop from empty list'); return i === undefined ? list.pop() : list.splice(Number(i) < 0 ? list.length + Number(i) : Number(i), 1)[0]; },
    remove: (x) => { const i = list.findIndex((y) => pyEquals(x, y)); if (i < 0) throw templateError('list.remove(x): x not in list'); list.splice(i, 1); return null; },
    index: (x) => { const i = list.findIndex((y) => pyEquals(x, y)); if (i < 0) throw templateError('x not in list'); return i; },
    count: (x) => list.filter((y) => pyEquals(x, y)).length,
    reverse: () => { list.reverse(); return null; },
    copy: () => [...list],
    sort: (...a) => {
      const { keywords } = splitKeywords(a);
      const result = sorted(list, { key: keywords.key as Callable | undefined, reverse: truth(keywords.reverse) });
      list.splice(0, list.length, ...result);
      return null;
    },
  };
  return methods[name];
}

function setMethod(set: Set<unknown>, name: string): Callable | undefined {
  const methods: Record<string, Callable> = {
    add: (x) => { set.add(x); return null; },
    update: (...xs) => { for (const x of xs) for (const y of toList(x)) set.add(y); return null; },
    discard: (x) => { set.delete(x); return null; },
    remove: (x) => { if (!set.delete(x)) throw templateError('KeyError'); return null; },
    union: (...xs) => new Set([...set, ...xs.flatMap(toList)]),
    intersection: (x) => { const other = new Set(toList(x)); return new Set([...set].filter((y) => other.has(y))); },
    difference: (x) => { const other = new Set(toList(x)); return new Set([...set].filter((y) => !other.has(y))); },
    issubset: (x) => { const other = new Set(toList(x)); return [...set].every((y) => other.has(y)); },
    copy: () => new Set(set),
    pop: () => { const first = set.values().next(); if (first.done) throw templateError('pop from an empty set'); set.delete(first.value); return first.value; },
  };
  return methods[name];
}

function dictMethod(dict: Record<string, unknown>, name: string): Callable | undefined {
  const methods: Record<string, Callable> = {
    items: () => Object.entries(dict),
    iteritems: () => Object.entries(dict),
    keys: () => Object.keys(dict),
    values: () => Object.values(dict),
    get: (key, fallback = null) => (Object.prototype.hasOwnProperty.call(dict, String(key)) ? dict[String(key)] : fallback),
    update: (...a) => {
      const { positional, keywords } = splitKeywords(a);
      for (const other of positional) {
        if (isDict(other)) Object.assign(dict, other);
        else for (const pair of toList(other)) { const [k, v] = pair as [string, unknown]; dict[k] = v; }
      }
      Object.assign(dict, keywords);
      return null;
    },
    setdefault: (key, fallback = null) => {
      if (!Object.prototype.hasOwnProperty.call(dict, String(key))) dict[String(key)] = fallback;
      return dict[String(key)];
    },
    pop: (...a) => {
      const key = String(a[0]);
      if (Object.prototype.hasOwnProperty.call(dict, key)) { const value = dict[key]; delete dict[key]; return value; }
      if (a.length > 1) return a[1];
      throw templateError(`KeyError: ${pyRepr(key)}`);
    },
    copy: () => ({ ...dict }),
  };
  return methods[name];
}

/** `value[start:stop:step]` on a list or string. */
export function slice(value: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  const items = typeof value === 'string' ? [...value] : isSafeString(value) ? [...String(value)] : toList(value);
  const by = step === null || step === undefined ? 1 : Number(step);
  if (by === 0) throw templateError('slice step cannot be zero');
  const length = items.length;
  const clamp = (n: unknown, fallback: number): number => {
    if (n === null || n === undefined) return fallback;
    const i = Number(n) < 0 ? length + Number(n) : Number(n);
    return by > 0 ? Math.min(Math.max(i, 0), length) : Math.min(Math.max(i, -1), length - 1);
  };
  const from = clamp(start, by > 0 ? 0 : length - 1);
  const to = clamp(stop, by > 0 ? length : -1);
  const result: unknown[] = [];
  for (let i = from; by > 0 ? i < to : i > to; i += by) result.push(items[i]);
  return typeof value === 'string' || isSafeString(value) ? result.join('') : result;
}

/** A dict literal whose keys are expressions (`{name: 1}` uses the value of `name`, as Python does). */
export function dictOf(pairs: unknown[]): Record<string, unknown> {
  const dict: Record<string, unknown> = {};
  for (const [key, value] of pairs as [unknown, unknown][]) dict[pyStr(key)] = value;
  return dict;
}

/** `obj.name` / `obj[key]` with Python's rules: methods of builtin types first, negative indexes. */
export function attribute(target: unknown, name: unknown): unknown {
  if (target === undefined || target === null) return undefined;
  const obj = isSafeString(target) ? String(target) : target;
  if (typeof name === 'number' && (Array.isArray(obj) || typeof obj === 'string')) {
    const index = name < 0 ? obj.length + name : name;
    return (obj as ArrayLike<unknown>)[index];
  }
  const key = String(name);
  if (typeof obj === 'string') return stringMethod(obj, key);
  if (Array.isArray(obj)) return listMethod(obj, key) ?? (obj as unknown as Record<string, unknown>)[key];
  if (obj instanceof Set) return setMethod(obj, key);
  if (isDict(obj)) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) {
      const method = dictMethod(obj, key);
      if (method) return method;
    }
    const value = obj[key];
    return typeof value === 'function' ? (value as Callable).bind(obj) : value;
  }
  const value = (obj as Record<string, unknown>)[key];
  return typeof value === 'function' ? (value as Callable).bind(obj) : value;
}
