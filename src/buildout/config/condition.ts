import { accessSync, existsSync, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';

/**
 * Conditional section headers `[name:expr]`. zc.buildout evaluates `expr` as
 * a PEP 508 marker or as a Python expression with helper names. This engine
 * parses the Python expression subset profiles use (names, strings, numbers,
 * tuples, attribute access, calls, comparisons, `in`, and/or/not) and
 * evaluates it lazily, so `a and b` never evaluates `b` when `a` is false —
 * SlapOS's own stack guards machine-specific checks that way. The engine
 * stands in for "CPython 3.11 on this machine".
 */
type PyValue = string | number | boolean | null | PyValue[] | ((...args: PyValue[]) => PyValue) | { readonly [name: string]: PyValue };
/** Evaluates a parsed piece with the comprehension variables in scope. */
type Thunk = (scope: ReadonlyMap<string, PyValue>) => PyValue;

const MACHINE = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch === 'ia32' ? 'i386' : process.arch;
const SYSTEM = process.platform === 'linux' ? 'Linux' : process.platform === 'darwin' ? 'Darwin' : process.platform;

/** /etc/os-release as Python's platform.freedesktop_os_release() returns it. */
function osRelease(): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
      if (match) fields[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2');
    }
    break;
  }
  return fields;
}

function isDirectory(path: PyValue): boolean {
  return existsSync(String(path)) && statSync(String(path)).isDirectory();
}

/** Names visible in expressions: zc.buildout's helper booleans, PEP 508 markers, a few modules. */
const NAMES: Readonly<Record<string, PyValue>> = {
  python2: false, python3: true, python311: true, cpython: true, pypy: false, jython: false, ironpython: false,
  linux: process.platform === 'linux', windows: false, cygwin: false, solaris: false,
  macosx: process.platform === 'darwin', posix: true,
  bits32: false, bits64: true, little_endian: true, big_endian: false,
  True: true, False: false, None: null, true: true, false: false,
  python_version: '3.11', python_full_version: '3.11.0', implementation_name: 'cpython',
  platform_python_implementation: 'CPython', os_name: 'posix', sys_platform: process.platform,
  platform_system: SYSTEM, platform_machine: MACHINE,
  ...Object.fromEntries([27, ...Array.from({ length: 11 }, (_v, i) => 35 + i), 310, 311, 312, 313, 314, 315].map((v) => [`python${v}`, v === 311])),
  sys: { version_info: [3, 11, 0], platform: process.platform, maxsize: 2 ** 63 - 1, byteorder: 'little' },
  platform: { machine: () => MACHINE, system: () => SYSTEM, python_version: () => '3.11.0', release: () => release(), freedesktop_os_release: () => osRelease() },
  int: (value) => { const n = parseInt(String(value), 10); if (Number.isNaN(n)) throw new TypeError(`int(${String(value)})`); return n; },
  str: (value) => String(value),
  len: (value) => (Array.isArray(value) || typeof value === 'string' ? value.length : 0),
  os: {
    name: 'posix', R_OK: 4, W_OK: 2, X_OK: 1, F_OK: 0,
    access: (path, mode) => { try { accessSync(String(path), Number(mode)); return true; } catch { return false; } },
    path: {
      exists: (path) => existsSync(String(path)),
      isdir: (path) => isDirectory(path),
      isfile: (path) => existsSync(String(path)) && statSync(String(path)).isFile(),
    },
  },
};

type Token = { kind: 'name' | 'string' | 'number' | 'op'; text: string };

function unsupported(expr: string, detail?: string): BuildoutError {
  return new BuildoutError(BuildoutErrorCode.CONDITION,
    `Conditional section expression ${JSON.stringify(expr)} is not supported by this buildout engine${detail ? ` (${detail})` : ''}; use a Python zc.buildout for this profile.`);
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\d+(?:\.\d+)?)|(==|!=|<=|>=|[<>().,[\]:]))/y;
  let position = 0;
  while (!/^\s*$/.test(expr.slice(position))) {
    pattern.lastIndex = position;
    const match = pattern.exec(expr);
    if (!match) throw unsupported(expr, `cannot read ${JSON.stringify(expr.slice(position).trim())}`);
    position = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'name', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', text: match[2].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (match[3] !== undefined) tokens.push({ kind: 'number', text: match[3] });
    else tokens.push({ kind: 'op', text: match[4]! });
  }
  return tokens;
}

const VERSION = /^\d+(\.\d+)*$/;

function compare(a: PyValue, b: PyValue): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (typeof a === 'string' && typeof b === 'string' && VERSION.test(a) && VERSION.test(b)) {
    return compare(a.split('.').map(Number), b.split('.').map(Number));
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function truthy(value: PyValue): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== false && value !== null && value !== 0 && value !== '';
}

/** Evaluates a header condition; anything outside the supported subset is BUILDOUT_ERR_CONDITION. */
export function evaluateCondition(source: string): boolean {
  const expr = source.replaceAll('\\x23', '#').replaceAll('\\x3b', ';');
  const tokens = tokenize(expr);
  let index = 0;
  const peek = (text?: string): Token | undefined => {
    const token = tokens[index];
    return text === undefined || token?.text === text ? token : undefined;
  };
  const expect = (text: string): void => {
    if (tokens[index]?.text !== text) throw unsupported(expr, `expected '${text}'`);
    index++;
  };

  const list = (close: string): Thunk[] => {
    const items: Thunk[] = [];
    while (!peek(close)) {
      items.push(disjunction());
      if (peek(',')) index++; else break;
    }
    expect(close);
    return items;
  };

  const atom = (): Thunk => {
    const token = tokens[index++];
    if (!token) throw unsupported(expr, 'unexpected end');
    if (token.kind === 'string') return () => token.text;
    if (token.kind === 'number') return () => Number(token.text);
    if (token.kind === 'name') {
      return (scope) => {
        if (scope.has(token.text)) return scope.get(token.text)!;
        if (!(token.text in NAMES)) throw unsupported(expr, `unknown name '${token.text}'`);
        return NAMES[token.text]!;
      };
    }
    if (token.text === '(') {
      const items = list(')');
      const tuple = items.length !== 1 || tokens[index - 2]?.text === ',';
      return tuple ? (scope) => items.map((item) => item(scope)) : items[0]!;
    }
    if (token.text === '[') {
      if (peek(']')) { index++; return () => []; }
      const first = disjunction();
      if (!peek('for')) {
        const rest = peek(',') ? (index++, list(']')) : (expect(']'), []);
        return (scope) => [first(scope), ...rest.map((item) => item(scope))];
      }
      // [EXPR for NAME in ITERABLE]
      index++;
      const variable = tokens[index++];
      if (variable?.kind !== 'name') throw unsupported(expr, 'expected a name after "for"');
      expect('in');
      const iterable = disjunction();
      expect(']');
      return (scope) => {
        const items = iterable(scope);
        if (!Array.isArray(items)) throw unsupported(expr, 'iteration over something that is not a list');
        return items.map((item) => first(new Map(scope).set(variable.text, item)));
      };
    }
    throw unsupported(expr, `unexpected '${token.text}'`);
  };

  const member = (object: PyValue, name: string): PyValue => {
    if (typeof object === 'string') {
      const methods: Record<string, PyValue> = {
        split: (separator) => object.split(separator === undefined || separator === null ? /\s+/ : String(separator)),
        startswith: (prefix) => object.startsWith(String(prefix)),
        strip: () => object.trim(),
        lower: () => object.toLowerCase(),
      };
      if (name in methods) return methods[name]!;
    }
    if (typeof object !== 'object' || object === null || Array.isArray(object) || !(name in object)) {
      throw unsupported(expr, `unknown attribute '${name}'`);
    }
    return (object as Record<string, PyValue>)[name]!;
  };

  const subscript = (object: PyValue, key: PyValue, end?: PyValue): PyValue => {
    if (end !== undefined) {
      if (!Array.isArray(object) && typeof object !== 'string') throw unsupported(expr, 'slice of something that is not a list');
      return object.slice(key === null ? 0 : Number(key), end === null ? undefined : Number(end)) as PyValue;
    }
    if (Array.isArray(object)) return object[Number(key) < 0 ? object.length + Number(key) : Number(key)] ?? null;
    if (typeof object === 'object' && object !== null && typeof key === 'string' && key in object) return (object as Record<string, PyValue>)[key]!;
    throw unsupported(expr, `no item ${JSON.stringify(key)}`);
  };

  const primary = (): Thunk => {
    let value = atom();
    for (;;) {
      const target = value;
      if (peek('.')) {
        index++;
        const name = tokens[index++];
        if (name?.kind !== 'name') throw unsupported(expr, 'expected a name after "."');
        value = (scope) => member(target(scope), name.text);
      } else if (peek('(')) {
        index++;
        const args = list(')');
        value = (scope) => {
          const fn = target(scope);
          if (typeof fn !== 'function') throw unsupported(expr, 'call of something that is not a supported function');
          return fn(...args.map((arg) => arg(scope)));
        };
      } else if (peek('[')) {
        index++;
        const from = peek(':') ? (): PyValue => null : disjunction();
        let to: Thunk | undefined;
        if (peek(':')) { index++; to = peek(']') ? () => null : disjunction(); }
        expect(']');
        value = (scope) => subscript(target(scope), from(scope), to?.(scope));
      } else {
        return value;
      }
    }
  };

  const comparison = (): Thunk => {
    const left = primary();
    const token = peek();
    const op = token?.text === 'not' && tokens[index + 1]?.text === 'in' ? 'not in' : token?.text;
    if (!op || !['==', '!=', '<', '<=', '>', '>=', 'in', 'not in'].includes(op)) return left;
    index += op === 'not in' ? 2 : 1;
    const right = primary();
    return (scope) => {
      const a = left(scope);
      const b = right(scope);
      switch (op) {
        case 'in':
        case 'not in': {
          const found = Array.isArray(b) ? b.some((x) => compare(x, a) === 0) : String(b).includes(String(a));
          return op === 'in' ? found : !found;
        }
        case '==': return compare(a, b) === 0;
        case '!=': return compare(a, b) !== 0;
        case '<': return compare(a, b) < 0;
        case '<=': return compare(a, b) <= 0;
        case '>': return compare(a, b) > 0;
        default: return compare(a, b) >= 0;
      }
    };
  };

  const negation = (): Thunk => {
    if (peek('not')) { index++; const operand = negation(); return (scope) => !truthy(operand(scope)); }
    return comparison();
  };
  const conjunction = (): Thunk => {
    let left = negation();
    while (peek('and')) {
      index++;
      const first = left;
      const second = negation();
      left = (scope) => { const value = first(scope); return truthy(value) ? second(scope) : value; };
    }
    return left;
  };
  function disjunction(): Thunk {
    let left = conjunction();
    while (peek('or')) {
      index++;
      const first = left;
      const second = conjunction();
      left = (scope) => { const value = first(scope); return truthy(value) ? value : second(scope); };
    }
    return left;
  }

  const root = disjunction();
  if (index !== tokens.length) throw unsupported(expr, `unexpected '${tokens[index]!.text}'`);
  return truthy(root(new Map()));
}
