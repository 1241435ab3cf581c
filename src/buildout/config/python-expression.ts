/**
 * A small evaluator for the Python expressions SlapOS profiles write in
 * conditional section headers (`[name:expr]`). zc.buildout hands `expr` to
 * Python's eval(); this engine never runs code, so it reads a fixed subset
 * and evaluates it with CPython 3.11's semantics: literals, names, tuples,
 * lists, list comprehensions, attribute access, calls of known functions,
 * subscripts and slices, chained comparisons, `in`, `not`, `and`, `or`
 * (short-circuit, returning an operand). Everything else is a
 * PythonExpressionError that says what was not understood.
 */

import { pyStringRepr } from '../values.ts';

/** Python values the evaluator handles. Functions take positional arguments only. */
export type PyValue = string | number | boolean | null | PyList | PyTuple | PyDict | PyFunction | PyObject;
export class PyList { constructor(readonly items: PyValue[]) {} }
/** A tuple; `fields` names its items like a named tuple (sys.version_info.major). */
export class PyTuple { constructor(readonly items: PyValue[], readonly fields: readonly string[] = []) {} }
export class PyDict { constructor(readonly entries: ReadonlyMap<string, PyValue>) {} }
export class PyFunction { constructor(readonly name: string, readonly call: (...args: PyValue[]) => PyValue) {} }
/** A module or object: named attributes, looked up lazily (so host facts are only read when used). */
export class PyObject { constructor(readonly name: string, readonly attributes: Readonly<Record<string, () => PyValue>>) {} }

/** The expression is outside the subset, or Python would raise while evaluating it. */
export class PythonExpressionError extends Error {}

type Node =
  | { kind: 'literal'; value: PyValue }
  | { kind: 'name'; name: string }
  | { kind: 'tuple' | 'list'; items: Node[] }
  | { kind: 'comprehension'; element: Node; target: string; iterable: Node; conditions: Node[] }
  | { kind: 'attribute'; object: Node; name: string }
  | { kind: 'call'; callee: Node; args: Node[] }
  | { kind: 'subscript'; object: Node; index: Node }
  | { kind: 'slice'; object: Node; start: Node | undefined; stop: Node | undefined }
  | { kind: 'compare'; first: Node; rest: { op: string; operand: Node }[] }
  | { kind: 'not'; operand: Node }
  | { kind: 'and' | 'or'; left: Node; right: Node };

interface Token { kind: 'name' | 'string' | 'int' | 'op' | 'end'; text: string; value?: string }

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'for', 'if', 'else', 'lambda', 'True', 'False', 'None']);
const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([rRbBuU]{0,2})('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|(\d[\d_]*)(?![.\dA-Za-z_])|(==|!=|<=|>=|\*\*|\/\/|[<>()[\]{}.,:+\-*/%~|&^@=]))/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  for (;;) {
    if (/^\s*$/.test(source.slice(position))) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (!match) throw new PythonExpressionError(`cannot read ${JSON.stringify(source.slice(position).trim())}`);
    position = TOKEN.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'name', text: match[1] });
    else if (match[3] !== undefined) tokens.push({ kind: 'string', text: match[3], value: stringLiteral(match[2]!, match[3]) });
    else if (match[4] !== undefined) tokens.push({ kind: 'int', text: match[4] });
    else tokens.push({ kind: 'op', text: match[5]! });
  }
  tokens.push({ kind: 'end', text: 'end of expression' });
  return tokens;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

function stringLiteral(prefix: string, quoted: string): string {
  const body = quoted.slice(1, -1);
  if (/[bB]/.test(prefix)) throw new PythonExpressionError('bytes literals are not supported');
  if (/[rR]/.test(prefix)) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/gs, (whole, escape: string) => {
    if (escape.length > 1) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return ESCAPES[escape] ?? whole;
  });
}

/** Recursive descent over Python's expression grammar, restricted to the subset. */
class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.expression();
    this.expectEnd();
    return node;
  }

  private peek(text?: string): Token | undefined {
    const token = this.tokens[this.index]!;
    if (text === undefined) return token;
    return token.text === text && token.kind !== 'string' ? token : undefined;
  }

  private take(): Token {
    return this.tokens[this.index++]!;
  }

  private expect(text: string): void {
    if (!this.peek(text)) throw new PythonExpressionError(`expected '${text}' but found '${this.peek()!.text}'`);
    this.index++;
  }

  private expectEnd(): void {
    const token = this.peek()!;
    if (token.kind !== 'end') throw new PythonExpressionError(`unsupported syntax at '${token.text}'`);
  }

  expression(): Node {
    if (this.peek('lambda')) throw new PythonExpressionError("'lambda' is not supported");
    const node = this.or();
    if (this.peek('if')) throw new PythonExpressionError("conditional expressions ('x if c else y') are not supported");
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.peek('or')) { this.index++; left = { kind: 'or', left, right: this.and() }; }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.peek('and')) { this.index++; left = { kind: 'and', left, right: this.not() }; }
    return left;
  }

  private not(): Node {
    if (this.peek('not')) { this.index++; return { kind: 'not', operand: this.not() }; }
    return this.comparison();
  }

  private comparison(): Node {
    const first = this.primary();
    const rest: { op: string; operand: Node }[] = [];
    for (;;) {
      const token = this.peek()!;
      let op: string | undefined;
      if (token.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(token.text)) op = token.text;
      else if (token.kind === 'name' && token.text === 'in') op = 'in';
      else if (token.kind === 'name' && token.text === 'not' && this.tokens[this.index + 1]?.text === 'in') op = 'not in';
      else if (token.kind === 'name' && token.text === 'is') throw new PythonExpressionError("'is' is not supported");
      if (op === undefined) break;
      this.index += op === 'not in' ? 2 : 1;
      rest.push({ op, operand: this.primary() });
    }
    return rest.length === 0 ? first : { kind: 'compare', first, rest };
  }

  private primary(): Node {
    let node = this.atom();
    for (;;) {
      if (this.peek('.')) {
        this.index++;
        const name = this.take();
        if (name.kind !== 'name') throw new PythonExpressionError(`expected an attribute name after '.', found '${name.text}'`);
        node = { kind: 'attribute', object: node, name: name.text };
      } else if (this.peek('(')) {
        this.index++;
        const args: Node[] = [];
        while (!this.peek(')')) {
          if (this.tokens[this.index + 1]?.text === '=' && this.peek()!.kind === 'name') throw new PythonExpressionError('keyword arguments are not supported');
          args.push(this.expression());
          if (!this.peek(',')) break;
          this.index++;
        }
        this.expect(')');
        node = { kind: 'call', callee: node, args };
      } else if (this.peek('[')) {
        this.index++;
        const start = this.peek(':') ? undefined : this.expression();
        if (this.peek(':')) {
          this.index++;
          const stop = this.peek(']') ? undefined : this.expression();
          if (this.peek(':')) throw new PythonExpressionError('slices with a step are not supported');
          this.expect(']');
          node = { kind: 'slice', object: node, start, stop };
        } else {
          this.expect(']');
          node = { kind: 'subscript', object: node, index: start! };
        }
      } else {
        return node;
      }
    }
  }

  private atom(): Node {
    const token = this.take();
    switch (token.kind) {
      case 'string': {
        let value = token.value!;
        // Adjacent literals concatenate, as in Python.
        while (this.peek()!.kind === 'string') value += this.take().value!;
        return { kind: 'literal', value };
      }
      case 'int': return { kind: 'literal', value: Number(token.text.replaceAll('_', '')) };
      case 'name':
        if (token.text === 'True') return { kind: 'literal', value: true };
        if (token.text === 'False') return { kind: 'literal', value: false };
        if (token.text === 'None') return { kind: 'literal', value: null };
        if (KEYWORDS.has(token.text)) throw new PythonExpressionError(`unexpected '${token.text}'`);
        return { kind: 'name', name: token.text };
      case 'op':
        if (token.text === '(') return this.parenthesised();
        if (token.text === '[') return this.list();
        if (token.text === '-' && this.peek()!.kind === 'int') return { kind: 'literal', value: -Number(this.take().text.replaceAll('_', '')) };
        throw new PythonExpressionError(`unsupported syntax at '${token.text}'`);
      default:
        throw new PythonExpressionError(`unexpected ${token.text}`);
    }
  }

  private parenthesised(): Node {
    if (this.peek(')')) { this.index++; return { kind: 'tuple', items: [] }; }
    const first = this.expression();
    if (this.peek(')')) { this.index++; return first; }
    const items = [first];
    while (this.peek(',')) {
      this.index++;
      if (this.peek(')')) break;
      items.push(this.expression());
    }
    this.expect(')');
    return { kind: 'tuple', items };
  }

  private list(): Node {
    if (this.peek(']')) { this.index++; return { kind: 'list', items: [] }; }
    const first = this.expression();
    if (this.peek('for')) {
      this.index++;
      const target = this.take();
      if (target.kind !== 'name' || KEYWORDS.has(target.text)) throw new PythonExpressionError('only a single name is supported as a comprehension target');
      this.expect('in');
      const iterable = this.or();
      const conditions: Node[] = [];
      while (this.peek('if')) { this.index++; conditions.push(this.or()); }
      if (this.peek('for')) throw new PythonExpressionError('nested comprehensions are not supported');
      this.expect(']');
      return { kind: 'comprehension', element: first, target: target.text, iterable, conditions };
    }
    const items = [first];
    while (this.peek(',')) {
      this.index++;
      if (this.peek(']')) break;
      items.push(this.expression());
    }
    this.expect(']');
    return { kind: 'list', items };
  }
}

/** Parses an expression once; evaluate it with evaluatePython(). */
export function parsePython(source: string): Node {
  return new Parser(tokenize(source)).parse();
}

export type PythonNode = Node;

// --- semantics --------------------------------------------------------------

function typeName(value: PyValue): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'int';
  if (typeof value === 'string') return 'str';
  if (value instanceof PyList) return 'list';
  if (value instanceof PyTuple) return 'tuple';
  if (value instanceof PyDict) return 'dict';
  if (value instanceof PyFunction) return 'builtin_function_or_method';
  return value.name;
}

function raise(kind: string, message: string): never {
  throw new PythonExpressionError(`Python raises ${kind}: ${message}`);
}

export function truthy(value: PyValue): boolean {
  if (value === null || value === false || value === 0 || value === '') return false;
  if (value instanceof PyList || value instanceof PyTuple) return value.items.length > 0;
  if (value instanceof PyDict) return value.entries.size > 0;
  return true;
}

const isNumber = (value: PyValue): value is number | boolean => typeof value === 'number' || typeof value === 'boolean';
const sequenceItems = (value: PyValue): PyValue[] | undefined =>
  value instanceof PyList || value instanceof PyTuple ? value.items : undefined;

export function pyEquals(a: PyValue, b: PyValue): boolean {
  if (isNumber(a) && isNumber(b)) return Number(a) === Number(b);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if ((a instanceof PyList && b instanceof PyList) || (a instanceof PyTuple && b instanceof PyTuple)) {
    return a.items.length === b.items.length && a.items.every((item, i) => pyEquals(item, b.items[i]!));
  }
  if (a instanceof PyDict && b instanceof PyDict) {
    return a.entries.size === b.entries.size && [...a.entries].every(([k, v]) => b.entries.has(k) && pyEquals(v, b.entries.get(k)!));
  }
  return a === b;
}

/** Python's ordering: numbers, strings, and same-kind sequences; anything else raises TypeError. */
function order(a: PyValue, b: PyValue, op: string): number {
  if (isNumber(a) && isNumber(b)) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((a instanceof PyList && b instanceof PyList) || (a instanceof PyTuple && b instanceof PyTuple)) {
    const count = Math.min(a.items.length, b.items.length);
    for (let i = 0; i < count; i++) {
      if (!pyEquals(a.items[i]!, b.items[i]!)) return order(a.items[i]!, b.items[i]!, op);
    }
    return a.items.length - b.items.length;
  }
  return raise('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

function contains(container: PyValue, item: PyValue): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') raise('TypeError', `'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  const items = sequenceItems(container);
  if (items) return items.some((candidate) => pyEquals(candidate, item));
  if (container instanceof PyDict) return typeof item === 'string' && container.entries.has(item);
  return raise('TypeError', `argument of type '${typeName(container)}' is not iterable`);
}

function compare(op: string, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case '==': return pyEquals(a, b);
    case '!=': return !pyEquals(a, b);
    case 'in': return contains(b, a);
    case 'not in': return !contains(b, a);
    case '<': return order(a, b, op) < 0;
    case '<=': return order(a, b, op) <= 0;
    case '>': return order(a, b, op) > 0;
    default: return order(a, b, op) >= 0;
  }
}

/** Python's repr() of a value (strings quoted as Python quotes them). */
export function pyRepr(value: PyValue): string {
  return typeof value === 'string' ? pyStringRepr(value) : pyStr(value);
}

/** Python's str() of the values the subset produces. */
export function pyStr(value: PyValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (value instanceof PyList) return `[${value.items.map(pyRepr).join(', ')}]`;
  if (value instanceof PyTuple) return value.items.length === 1 ? `(${pyRepr(value.items[0]!)},)` : `(${value.items.map(pyRepr).join(', ')})`;
  if (value instanceof PyDict) return `{${[...value.entries].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  return `<${typeName(value)}>`;
}

function index(items: PyValue[] | string, key: PyValue, what: string): PyValue {
  if (!isNumber(key)) return raise('TypeError', `${what} indices must be integers, not ${typeName(key)}`);
  const at = Number(key) < 0 ? items.length + Number(key) : Number(key);
  if (at < 0 || at >= items.length) return raise('IndexError', `${what} index out of range`);
  return items[at]!;
}

function subscript(object: PyValue, key: PyValue): PyValue {
  if (typeof object === 'string') return index(object, key, 'string');
  if (object instanceof PyList) return index(object.items, key, 'list');
  if (object instanceof PyTuple) return index(object.items, key, 'tuple');
  if (object instanceof PyDict) {
    if (typeof key !== 'string' || !object.entries.has(key)) return raise('KeyError', pyStr(key));
    return object.entries.get(key)!;
  }
  return raise('TypeError', `'${typeName(object)}' object is not subscriptable`);
}

function sliceBound(value: PyValue | undefined, length: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (!isNumber(value)) return raise('TypeError', 'slice indices must be integers or None');
  const n = Number(value);
  return Math.min(Math.max(n < 0 ? length + n : n, 0), length);
}

function slice(object: PyValue, start: PyValue | undefined, stop: PyValue | undefined): PyValue {
  const items = typeof object === 'string' ? object : sequenceItems(object);
  if (items === undefined) return raise('TypeError', `'${typeName(object)}' object is not subscriptable`);
  const from = sliceBound(start, items.length, 0);
  const to = sliceBound(stop, items.length, items.length);
  if (typeof items === 'string') return items.slice(from, Math.max(from, to));
  const picked = items.slice(from, Math.max(from, to));
  return object instanceof PyTuple ? new PyTuple(picked) : new PyList(picked);
}

/** Methods of str the subset knows. */
function stringMethod(text: string, name: string): PyValue | undefined {
  const method = (call: (...args: PyValue[]) => PyValue): PyFunction => new PyFunction(`str.${name}`, call);
  const str = (value: PyValue | undefined, what: string): string => {
    if (typeof value !== 'string') return raise('TypeError', `${what} must be str, not ${typeName(value ?? null)}`);
    return value;
  };
  switch (name) {
    case 'split': return method((separator = null, limit = -1) => {
      const max = Number(limit);
      if (separator === null) {
        if (max >= 0) throw new PythonExpressionError('str.split(None, maxsplit) is not supported');
        return new PyList(text.split(/\s+/).filter(Boolean));
      }
      const sep = str(separator, 'separator');
      if (sep === '') return raise('ValueError', 'empty separator');
      const parts = text.split(sep);
      return new PyList(max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(sep)]);
    });
    case 'strip': return method(() => text.trim());
    case 'lower': return method(() => text.toLowerCase());
    case 'upper': return method(() => text.toUpperCase());
    case 'startswith': return method((prefix) => text.startsWith(str(prefix, 'startswith first arg')));
    case 'endswith': return method((suffix) => text.endsWith(str(suffix, 'endswith first arg')));
    default: return undefined;
  }
}

function attribute(object: PyValue, name: string): PyValue {
  if (typeof object === 'string') {
    const method = stringMethod(object, name);
    if (method) return method;
  } else if (object instanceof PyTuple && object.fields.includes(name)) {
    return object.items[object.fields.indexOf(name)]!;
  } else if (object instanceof PyDict && name === 'get') {
    return new PyFunction('dict.get', (key, fallback = null) => (typeof key === 'string' && object.entries.has(key) ? object.entries.get(key)! : fallback));
  } else if (object instanceof PyObject && Object.hasOwn(object.attributes, name)) {
    return object.attributes[name]!();
  }
  throw new PythonExpressionError(`'${typeName(object)}.${name}' is not supported`);
}

/** Evaluates a parsed expression with `names` as its globals. */
export function evaluatePython(node: Node, names: ReadonlyMap<string, () => PyValue>): PyValue {
  const evaluate = (current: Node, scope: ReadonlyMap<string, PyValue>): PyValue => {
    switch (current.kind) {
      case 'literal': return current.value;
      case 'name': {
        if (scope.has(current.name)) return scope.get(current.name)!;
        const global = names.get(current.name);
        if (!global) throw new PythonExpressionError(`the name '${current.name}' is not supported`);
        return global();
      }
      case 'tuple': return new PyTuple(current.items.map((item) => evaluate(item, scope)));
      case 'list': return new PyList(current.items.map((item) => evaluate(item, scope)));
      case 'comprehension': {
        const iterable = evaluate(current.iterable, scope);
        const items = typeof iterable === 'string' ? [...iterable] : sequenceItems(iterable)
          ?? (iterable instanceof PyDict ? [...iterable.entries.keys()] : raise('TypeError', `'${typeName(iterable)}' object is not iterable`));
        const result: PyValue[] = [];
        for (const item of items) {
          const inner = new Map(scope).set(current.target, item);
          if (current.conditions.every((condition) => truthy(evaluate(condition, inner)))) result.push(evaluate(current.element, inner));
        }
        return new PyList(result);
      }
      case 'attribute': return attribute(evaluate(current.object, scope), current.name);
      case 'call': {
        const callee = evaluate(current.callee, scope);
        if (!(callee instanceof PyFunction)) throw new PythonExpressionError(`calling '${typeName(callee)}' is not supported`);
        return callee.call(...current.args.map((arg) => evaluate(arg, scope)));
      }
      case 'subscript': return subscript(evaluate(current.object, scope), evaluate(current.index, scope));
      case 'slice': return slice(evaluate(current.object, scope),
        current.start && evaluate(current.start, scope), current.stop && evaluate(current.stop, scope));
      case 'compare': {
        // Chained: a < b < c is a < b and b < c, each operand evaluated once.
        let left = evaluate(current.first, scope);
        for (const { op, operand } of current.rest) {
          const right = evaluate(operand, scope);
          if (!compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'not': return !truthy(evaluate(current.operand, scope));
      case 'and': { const left = evaluate(current.left, scope); return truthy(left) ? evaluate(current.right, scope) : left; }
      case 'or': { const left = evaluate(current.left, scope); return truthy(left) ? left : evaluate(current.right, scope); }
    }
  };
  return evaluate(node, new Map());
}

/** int() of a str or a number, with Python's rules for what a str may hold. */
export function pyInt(value: PyValue): number {
  if (isNumber(value)) return Math.trunc(Number(value));
  if (typeof value === 'string') {
    if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(value)) raise('ValueError', `invalid literal for int() with base 10: ${pyRepr(value)}`);
    return Number(value.replaceAll('_', '').trim());
  }
  return raise('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${typeName(value)}'`);
}

export function pyLen(value: PyValue): number {
  if (typeof value === 'string') return [...value].length;
  const items = sequenceItems(value);
  if (items) return items.length;
  if (value instanceof PyDict) return value.entries.size;
  return raise('TypeError', `object of type '${typeName(value)}' has no len()`);
}
