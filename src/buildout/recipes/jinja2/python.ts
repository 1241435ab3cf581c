import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { formatSpec, scientific } from './format-spec.ts';
import { addNumbers, arithmetic, fixedDigits, Float, numeric } from './numbers.ts';
import { DictView, dictView, isDict, isSafeString, Namespace, NamedTuple, repr, str, tuple, Tuple } from './objects.ts';

// What compiled templates call through `__py` (see compile.ts and syntax.ts).
export { arithmetic, float, negate } from './numbers.ts';
export { tuple } from './objects.ts';

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

export function namespace(...args: unknown[]): Namespace {
  const { positional, keywords } = splitKeywords(args);
  const base = positional[0] === undefined ? {} : isDict(positional[0]) ? positional[0] : Object.fromEntries(toList(positional[0]) as [string, unknown][]);
  return new Namespace({ ...base, ...keywords });
}

/** `{% set ns.name = value %}` */
export function setAttribute(target: unknown, name: string, value: unknown): string {
  if (!(target instanceof Namespace)) throw templateError(`cannot assign attribute '${name}' on non-namespace object ${repr(target)}`);
  target.attributes[name] = value;
  return '';
}

export function truth(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '' || Number.isNaN(value)) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Set || value instanceof Map) return value.size > 0;
  if (isSafeString(value)) return String(value) !== '';
  if (value instanceof Float) return value.valueOf() !== 0;
  if (isDict(value)) return Object.keys(value).length > 0;
  return true;
}

export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const [x, y] = [numeric(a), numeric(b)];
  if (x !== undefined && y !== undefined) return x === y;
  if (Array.isArray(a) && Array.isArray(b)) return a instanceof Tuple === b instanceof Tuple && a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && pyEquals(a[k], b[k]));
  }
  return false;
}

export function contains(target: unknown, item: unknown): boolean {
  const container = isSafeString(target) ? String(target) : target;
  if (typeof container === 'string') return container.includes(str(item));
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

/** Python's ordering of two values (numbers by value, sequences item by item, otherwise as text). */
export function compare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  const [x, y] = [numeric(a), numeric(b)];
  if (x !== undefined && y !== undefined) return x - y;
  const sa = str(a);
  const sb = str(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function sorted(iterable: unknown, options: { key?: Callable; reverse?: boolean } = {}): unknown[] {
  const key = options.key ?? ((x: unknown) => x);
  const items = toList(iterable).map((item) => ({ item, k: key(item) }));
  // Like Python, reverse=True keeps equal items in their original order.
  items.sort(options.reverse ? (a, b) => compare(b.k, a.k) : (a, b) => compare(a.k, b.k));
  return items.map(({ item }) => item);
}

/** Python's min()/max(): the first item whose key is smallest/largest. */
export function extreme(list: readonly unknown[], which: 'min' | 'max', key: Callable = (x) => x): unknown {
  if (list.length === 0) throw templateError(`${which}() arg is an empty sequence`);
  let best = list[0];
  let bestKey = key(best);
  for (const item of list.slice(1)) {
    const k = key(item);
    const order = compare(k, bestKey);
    if (which === 'min' ? order < 0 : order > 0) { best = item; bestKey = k; }
  }
  return best;
}

/** Python `%` string formatting (`%s %d %r %f %x %o %%`, mapping keys, width and precision). */
export function percentFormat(format: string, args: unknown): string {
  // Only a tuple spreads over the conversions; a list is one value.
  const positional = args instanceof Tuple ? args : [args];
  let index = 0;
  const next = (): unknown => {
    if (index >= positional.length) throw templateError('not enough arguments for format string');
    return positional[index++];
  };
  const result = format.replace(/%(\(([^)]*)\))?([-+ #0]*)(\d+|\*)?(?:\.(\d+))?([sdirfFxXoeEgGc%])/g,
    (_all, _m, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conversion: string) => {
      if (conversion === '%') return '%';
      const value = key !== undefined ? (args as Record<string, unknown>)[key] : next();
      if (/[diouxXeEfFgGc]/.test(conversion) && numeric(value) === undefined && !(conversion === 'c' && typeof value === 'string')) {
        throw templateError(`%${conversion} format: a real number is required, not ${value === null ? 'NoneType' : typeof value === 'string' ? 'str' : typeof value}`);
      }
      let text: string;
      switch (conversion) {
        case 's': text = str(value); break;
        case 'r': text = repr(value); break;
        case 'd': case 'i': text = String(Math.trunc(Number(value))); break;
        case 'f': case 'F': text = `${Number(value) < 0 ? '-' : ''}${fixedDigits(Number(value), precision === undefined ? 6 : Number(precision))}`; break;
        case 'e': case 'E': {
          const exponent = `${Number(value) < 0 ? '-' : ''}${scientific(Math.abs(Number(value)), precision === undefined ? 6 : Number(precision))}`;
          text = conversion === 'E' ? exponent.toUpperCase() : exponent;
          break;
        }
        case 'x': text = Math.trunc(Number(value)).toString(16); break;
        case 'X': text = Math.trunc(Number(value)).toString(16).toUpperCase(); break;
        case 'o': text = Math.trunc(Number(value)).toString(8); break;
        case 'c': text = typeof value === 'number' ? String.fromCharCode(value) : str(value); break;
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
  if (typeof left === 'string' || isSafeString(left)) return percentFormat(String(left), right);
  return arithmetic('%', left, right);
}

export function add(left: unknown, right: unknown): unknown {
  if (Array.isArray(left) && Array.isArray(right)) {
    if (left instanceof Tuple !== right instanceof Tuple) throw templateError(`can only concatenate ${left instanceof Tuple ? 'tuple' : 'list'} (not "${right instanceof Tuple ? 'tuple' : 'list'}") to ${left instanceof Tuple ? 'tuple' : 'list'}`);
    return left instanceof Tuple ? tuple([...left, ...right]) : [...left, ...right];
  }
  if (typeof left === 'string' || typeof right === 'string') {
    if (typeof left !== 'string' || typeof right !== 'string') {
      throw templateError(`can only concatenate str (not "${typeof (typeof left === 'string' ? right : left)}") to str`);
    }
    return left + right;
  }
  return addNumbers(left, right);
}

/** `a ~ b`: both sides as Python prints them. */
export function concat(left: unknown, right: unknown): string {
  return `${String(output(left))}${String(output(right))}`;
}

/** What `{{ value }}` prints: Python's str(); printing an undefined value is an error (StrictUndefined). */
export function output(value: unknown, what = 'a value'): unknown {
  if (value === undefined) throw templateError(`${what} is undefined (printed, but no such variable, attribute or item)`);
  if (isSafeString(value)) return value;
  return str(value);
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

/**
 * `str.format`: positional `{}`/`{0}` and keyword `{name}` fields, with
 * `.attribute`/`[key]` accessors, `!r`/`!s` and a format spec.
 */
function strFormat(text: string, args: unknown[]): string {
  const { positional, keywords } = splitKeywords(args);
  let auto = 0;
  return text.replace(/\{\{|\}\}|\{([^{}:!]*)(?:!([rsa]))?(?::([^{}]*))?\}/g, (all, field: string | undefined, conversion: string | undefined, spec: string | undefined) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    const [, head = '', accessors = ''] = /^([^.[]*)(.*)$/.exec(field ?? '')!;
    let value = head === '' ? positional[auto++] : /^\d+$/.test(head) ? positional[Number(head)] : keywords[head];
    for (const [, name, key] of accessors.matchAll(/\.(\w+)|\[([^\]]*)\]/g)) value = attribute(value, name ?? (/^\d+$/.test(key!) ? Number(key) : key));
    if (value === undefined) throw templateError(`format field ${JSON.stringify(field)} has no value`);
    if (conversion === 'r' || conversion === 'a') value = repr(value);
    else if (conversion === 's') value = str(value);
    return formatSpec(value, spec ?? '', str);
  });
}

function stringMethod(text: string, name: string): Callable | undefined {
  const methods: Record<string, Callable> = {
    split: (...a) => { const { positional, keywords } = splitKeywords(a); return split(text, positional[0] ?? keywords.sep, Number(positional[1] ?? keywords.maxsplit ?? -1)); },
    rsplit: (...a) => {
      const { positional, keywords } = splitKeywords(a);
      const maxsplit = Number(positional[1] ?? keywords.maxsplit ?? -1);
      // Splitting from the right is splitting the reversed text from the left.
      const reverse = (s: string): string => [...s].reverse().join('');
      const separator = positional[0] ?? keywords.sep;
      const parts = split(reverse(text), separator === undefined || separator === null ? separator : reverse(String(separator)), maxsplit);
      return parts.map(reverse).reverse();
    },
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
    join: (items) => toList(items).map((x) => str(x)).join(text),
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
    isspace: () => /^\s+$/u.test(text),
    islower: () => /\p{L}/u.test(text) && text === text.toLowerCase(),
    isupper: () => /\p{L}/u.test(text) && text === text.toUpperCase(),
    swapcase: () => [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
    removeprefix: (prefix) => (text.startsWith(String(prefix)) ? text.slice(String(prefix).length) : text),
    removesuffix: (suffix) => (String(suffix) !== '' && text.endsWith(String(suffix)) ? text.slice(0, -String(suffix).length) : text),
    ljust: (width, fill = ' ') => text.padEnd(Number(width), String(fill)),
    rjust: (width, fill = ' ') => text.padStart(Number(width), String(fill)),
    center: (width, fill = ' ') => {
      // Python puts the odd padding character on the right unless the width is odd and the text even (then left).
      const total = Math.max(0, Number(width) - [...text].length);
      const left = Math.floor(total / 2) + (total % 2 & Number(width) % 2);
      return String(fill).repeat(left) + text + String(fill).repeat(total - left);
    },
    __contains__: (item) => contains(text, item),
    __getitem__: (index) => attribute(text, index),
    encode: () => text,
    decode: () => text,
    zfill: (width) => (text.startsWith('-') ? `-${text.slice(1).padStart(Number(width) - 1, '0')}` : text.padStart(Number(width), '0')),
    partition: (sep) => { const i = text.indexOf(String(sep)); return tuple(i < 0 ? [text, '', ''] : [text.slice(0, i), String(sep), text.slice(i + String(sep).length)]); },
    rpartition: (sep) => { const i = text.lastIndexOf(String(sep)); return tuple(i < 0 ? ['', '', text] : [text.slice(0, i), String(sep), text.slice(i + String(sep).length)]); },
  };
  return methods[name];
}

/** The items of `value` unpacked into `count` names (`for a, b in …`, `set a, b = …`). */
export function unpack(value: unknown, count: number): unknown[] {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    throw templateError(`cannot unpack non-iterable ${value === null || value === undefined ? 'NoneType' : typeof value === 'number' ? 'int' : 'bool'} object`);
  }
  const items = toList(value);
  if (items.length < count) throw templateError(`not enough values to unpack (expected ${count}, got ${items.length})`);
  if (items.length > count) throw templateError(`too many values to unpack (expected ${count})`);
  return items;
}

/** `loop.cycle(a, b, …)`: the argument for this iteration. */
export function cycle(loop: { index0: number }): Callable {
  return (...values) => {
    if (values.length === 0) throw templateError('no items for cycling given');
    return values[loop.index0 % values.length];
  };
}

/** `dict.items()`: (key, value) tuples. */
export function items(dict: Record<string, unknown>): Tuple[] {
  return Object.entries(dict).map((pair) => tuple(pair));
}

function sequenceMethod(sequence: readonly unknown[], name: string): Callable | undefined {
  const methods: Record<string, Callable> = {
    index: (x) => { const i = sequence.findIndex((y) => pyEquals(x, y)); if (i < 0) throw templateError(`${repr(x)} is not in ${sequence instanceof Tuple ? 'tuple' : 'list'}`); return i; },
    count: (x) => sequence.filter((y) => pyEquals(x, y)).length,
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
    reverse: () => { list.reverse(); return null; },
    copy: () => [...list],
    __setitem__: (index, value) => { list[Number(index) < 0 ? list.length + Number(index) : Number(index)] = value; return null; },
    __getitem__: (index) => attribute(list, index),
    __contains__: (item) => contains(list, item),
    sort: (...a) => {
      const { keywords } = splitKeywords(a);
      const result = sorted(list, { key: keywords.key as Callable | undefined, reverse: truth(keywords.reverse) });
      list.splice(0, list.length, ...result);
      return null;
    },
  };
  return methods[name] ?? sequenceMethod(list, name);
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
    items: () => dictView('dict_items', items(dict)),
    iteritems: () => items(dict),
    keys: () => dictView('dict_keys', Object.keys(dict)),
    values: () => dictView('dict_values', Object.values(dict)),
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
      throw templateError(`KeyError: ${repr(key)}`);
    },
    copy: () => ({ ...dict }),
    // `{% do d.__setitem__(k, v) %}`: how SlapOS templates assign an item.
    __setitem__: (key, value) => { dict[str(key)] = value; return null; },
    __getitem__: (key) => {
      if (!Object.prototype.hasOwnProperty.call(dict, str(key))) throw templateError(`KeyError: ${repr(key)}`);
      return dict[str(key)];
    },
    __delitem__: (key) => {
      if (!Object.prototype.hasOwnProperty.call(dict, str(key))) throw templateError(`KeyError: ${repr(key)}`);
      delete dict[str(key)];
      return null;
    },
    __contains__: (key) => contains(dict, key),
    popitem: () => {
      const key = Object.keys(dict).at(-1);
      if (key === undefined) throw templateError("'popitem(): dictionary is empty'");
      const value = dict[key];
      delete dict[key];
      return tuple([key, value]);
    },
    clear: () => { for (const key of Object.keys(dict)) delete dict[key]; return null; },
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
  return typeof value === 'string' || isSafeString(value) ? result.join('') : value instanceof Tuple ? tuple(result) : result;
}

/** A dict literal whose keys are expressions (`{name: 1}` uses the value of `name`, as Python does). */
export function dictOf(pairs: unknown[]): Record<string, unknown> {
  const dict: Record<string, unknown> = {};
  for (const [key, value] of pairs as [unknown, unknown][]) dict[str(key)] = value;
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
  if (obj instanceof NamedTuple && obj.fieldNames.includes(key)) return obj[obj.fieldNames.indexOf(key)];
  // Tuples and dict views are frozen: no list methods that would change them.
  if (obj instanceof Tuple || obj instanceof DictView) return sequenceMethod(obj, key);
  if (obj instanceof Namespace) return Object.prototype.hasOwnProperty.call(obj.attributes, key) ? obj.attributes[key] : undefined;
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
