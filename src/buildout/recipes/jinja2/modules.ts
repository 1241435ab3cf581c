import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { jsonDumps } from '../../values.ts';
import { shellQuote } from '../shell.ts';
import { plain, PyIterator, str, tuple, type Tuple } from './objects.ts';
import { items, splitKeywords, toList, truth } from './python.ts';

/**
 * Shims for the Python modules SlapOS templates import (`import json`,
 * `os`, `urllib.parse`...): the functions they call, with Python's results.
 */

type Callable = (...args: unknown[]) => unknown;

const json = {
  dumps: (...a: unknown[]) => {
    const { positional, keywords } = splitKeywords(a);
    return jsonDumps(plain(positional[0]), { sortKeys: truth(keywords.sort_keys), indent: keywords.indent === undefined || keywords.indent === null ? undefined : Number(keywords.indent) });
  },
  loads: (text: unknown) => JSON.parse(str(text)) as unknown,
};

function pathSplit(path: string): Tuple {
  const cut = path.lastIndexOf('/') + 1;
  let head = path.slice(0, cut);
  if (head !== '' && head !== '/'.repeat(head.length)) head = head.replace(/\/+$/, '');
  return tuple([head, path.slice(cut)]);
}

const osPath = {
  join: (...parts: unknown[]) => parts.map(String).reduce((a, b) => (b.startsWith('/') ? b : a === '' || a.endsWith('/') ? a + b : `${a}/${b}`), ''),
  basename: (p: unknown) => pathSplit(String(p))[1] as string,
  dirname: (p: unknown) => pathSplit(String(p))[0] as string,
  split: (p: unknown) => pathSplit(String(p)),
  splitext: (p: unknown) => { const s = String(p); const ext = posix.extname(s); return tuple([s.slice(0, s.length - ext.length), ext]); },
  exists: (p: unknown) => existsSync(String(p)),
  isdir: (p: unknown) => existsSync(String(p)) && statSync(String(p)).isDirectory(),
  isfile: (p: unknown) => existsSync(String(p)) && statSync(String(p)).isFile(),
  abspath: (p: unknown) => posix.resolve(String(p)),
  normpath: (p: unknown) => posix.normalize(String(p)).replace(/(.)\/$/, '$1'),
  realpath: (p: unknown) => (existsSync(String(p)) ? realpathSync(String(p)) : posix.resolve(String(p))),
  isabs: (p: unknown) => String(p).startsWith('/'),
  sep: '/',
};

/** A fresh `os` per import: templates may mutate `os.environ` like a dict. */
function os(): Record<string, unknown> {
  return {
    path: osPath,
    sep: '/',
    getuid: () => process.getuid?.() ?? 0,
    getgid: () => process.getgid?.() ?? 0,
    getpid: () => process.pid,
    environ: { ...process.env },
  };
}

/** The urlsplit/urlparse result: fields by name and by index. */
function urlSplit(url: string, withParams: boolean): Record<string, unknown> {
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(url)!;
  const [, scheme = '', netloc = '', rawPath = '', query = '', fragment = ''] = match;
  let path = rawPath;
  let params = '';
  if (withParams && path.includes(';')) { params = path.slice(path.lastIndexOf(';') + 1); path = path.slice(0, path.lastIndexOf(';')); }
  const userinfo = netloc.includes('@') ? netloc.slice(0, netloc.lastIndexOf('@')) : undefined;
  const hostport = netloc.slice(netloc.lastIndexOf('@') + 1);
  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  const host = hostMatch?.[1] ?? '';
  const fields = withParams ? [scheme.toLowerCase(), netloc, path, params, query, fragment] : [scheme.toLowerCase(), netloc, path, query, fragment];
  return {
    ...Object.fromEntries(fields.map((v, i) => [String(i), v])),
    length: fields.length,
    scheme: scheme.toLowerCase(), netloc, path, params, query, fragment,
    hostname: host === '' ? null : host.replace(/^\[|\]$/g, '').toLowerCase(),
    port: hostMatch?.[2] ? Number(hostMatch[2]) : null,
    username: userinfo === undefined ? null : decodeURIComponent(userinfo.split(':')[0]!),
    password: userinfo?.includes(':') ? decodeURIComponent(userinfo.slice(userinfo.indexOf(':') + 1)) : null,
    geturl: () => url,
  };
}

function quote(text: unknown, safe: unknown = '/'): string {
  const keep = new Set(String(safe));
  return [...Buffer.from(str(text), 'utf8')].map((byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9_.~-]/.test(c) || keep.has(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

const urllibParse = {
  urlparse: (u: unknown) => urlSplit(String(u), true),
  urlsplit: (u: unknown) => urlSplit(String(u), false),
  urljoin: (base: unknown, url: unknown) => new URL(String(url), String(base)).href,
  quote: (...a: unknown[]) => { const { positional, keywords } = splitKeywords(a); return quote(positional[0], positional[1] ?? keywords.safe ?? '/'); },
  quote_plus: (t: unknown) => quote(t, ' ').replaceAll(' ', '+'),
  unquote: (t: unknown) => decodeURIComponent(String(t)),
  urlencode: (query: unknown) => {
    const pairs = Array.isArray(query) ? (query as [unknown, unknown][]) : Object.entries(query as Record<string, unknown>);
    return pairs.map(([k, v]) => `${quote(k, '').replaceAll('%20', '+')}=${quote(v, '').replaceAll('%20', '+')}`).join('&');
  },
};

function pyRegExp(pattern: unknown, flags = ''): RegExp {
  return new RegExp(String(pattern).replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'), flags);
}

function matchObject(match: RegExpExecArray | null): Record<string, unknown> | null {
  if (!match) return null;
  return {
    group: (...n: unknown[]) => (n.length <= 1 ? (typeof n[0] === 'string' ? match.groups?.[n[0]] : match[Number(n[0] ?? 0)]) ?? null : tuple(n.map((i) => match[Number(i)] ?? null))),
    groups: () => tuple(match.slice(1).map((g) => g ?? null)),
    groupdict: () => ({ ...match.groups }),
    start: () => match.index,
    end: () => match.index + match[0].length,
  };
}

const re = {
  match: (p: unknown, s: unknown) => { const r = pyRegExp(p, 'y'); return matchObject(r.exec(str(s))); },
  fullmatch: (p: unknown, s: unknown) => matchObject(pyRegExp(`^(?:${String(p)})$`).exec(str(s))),
  search: (p: unknown, s: unknown) => matchObject(pyRegExp(p).exec(str(s))),
  findall: (p: unknown, s: unknown) => [...str(s).matchAll(pyRegExp(p, 'g'))].map((m) => (m.length === 1 ? m[0] : m.length === 2 ? m[1] : tuple(m.slice(1)))),
  sub: (p: unknown, r: unknown, s: unknown) => str(s).replace(pyRegExp(p, 'g'), String(r).replace(/\\(\d)/g, '$$$1')),
  split: (p: unknown, s: unknown) => str(s).split(pyRegExp(p)),
  escape: (s: unknown) => str(s).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
};

function hasher(algorithm: string): Callable {
  return (data: unknown = '') => {
    const hash = createHash(algorithm);
    hash.update(str(data));
    return {
      update: (more: unknown) => { hash.update(str(more)); return null; },
      hexdigest: () => hash.copy().digest('hex'),
    };
  };
}

const hashlib = { md5: hasher('md5'), sha1: hasher('sha1'), sha256: hasher('sha256'), sha512: hasher('sha512') };

/** `itertools.count(start, step)`: endless, advanced by `next()`. */
function* count(start: number, step: number): Generator<number> {
  for (let value = start; ; value += step) yield value;
}

const itertools = {
  count: (start: unknown = 0, step: unknown = 1) => new PyIterator(count(Number(start), Number(step))),
  chain: (...xs: unknown[]) => xs.flatMap(toList),
  product: (...xs: unknown[]) => xs.map(toList).reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((x) => [...prefix, x])), [[]]).map((combination) => tuple(combination)),
  islice: (xs: unknown, ...a: unknown[]) => { const l = toList(xs); return a.length === 1 ? l.slice(0, Number(a[0])) : l.slice(Number(a[0]), a[1] === null ? undefined : Number(a[1])); },
  groupby: (xs: unknown, key: Callable = (x) => x) => {
    const groups: [unknown, unknown[]][] = [];
    for (const x of toList(xs)) {
      const k = key(x);
      const last = groups.at(-1);
      if (last && last[0] === k) last[1].push(x); else groups.push([k, [x]]);
    }
    return groups.map((group) => tuple(group));
  },
};

const functools = {
  reduce: (f: Callable, xs: unknown, ...initial: unknown[]) => (initial.length > 0 ? toList(xs).reduce((a, b) => f(a, b), initial[0]) : toList(xs).reduce((a, b) => f(a, b))),
  partial: (f: Callable, ...bound: unknown[]) => (...rest: unknown[]) => f(...bound, ...rest),
};

const operator = {
  add: (a: unknown, b: unknown) => (a as number) + (b as number),
  itemgetter: (...keys: unknown[]) => (o: Record<string, unknown>) => (keys.length === 1 ? o[String(keys[0])] : tuple(keys.map((k) => o[String(k)]))),
  attrgetter: (name: unknown) => (o: Record<string, unknown>) => String(name).split('.').reduce<unknown>((v, part) => (v as Record<string, unknown>)[part], o),
  not_: (a: unknown) => !truth(a),
};

const six = {
  PY3: true,
  PY2: false,
  iteritems: (d: Record<string, unknown>) => items(d),
  iterkeys: (d: Record<string, unknown>) => Object.keys(d),
  itervalues: (d: Record<string, unknown>) => Object.values(d),
  text_type: (x: unknown) => str(x),
  // Templates only hash or print the result; text stands for bytes here.
  ensure_binary: (x: unknown) => str(x),
  ensure_str: (x: unknown) => str(x),
  ensure_text: (x: unknown) => str(x),
  moves: {
    urllib: { parse: urllibParse },
    urllib_parse: urllibParse,
    map: (f: Callable, xs: unknown) => toList(xs).map((x) => f(x)),
    range: (a: number, b?: number) => range(a, b),
    shlex_quote: (word: unknown) => shellQuote(str(word)),
  },
};

function range(start: number, stop?: number, step = 1): number[] {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  const result: number[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) result.push(i);
  return result;
}

const MODULES: Readonly<Record<string, unknown>> = {
  json, 'os.path': osPath, re, hashlib, itertools, functools, operator, six,
  'urllib.parse': urllibParse, urllib: { parse: urllibParse }, 'six.moves.urllib.parse': urllibParse, 'six.moves': six.moves,
};

/** The shim for `import <name>` in a context line; anything else needs the Python engine. */
export function importModule(name: string): unknown {
  const module = name === 'os' ? os() : MODULES[name];
  if (module === undefined) {
    throw new BuildoutError(BuildoutErrorCode.TEMPLATE,
      `Python module '${name}' cannot be imported in templates of this buildout engine (available: ${['os', ...Object.keys(MODULES)].sort().join(', ')}); use a Python zc.buildout for this profile.`);
  }
  return module;
}

export { quote, range, six };
