import { unencodableError } from './errors.ts';
import { pyFloatRepr, pyIntText } from './python-text.ts';
import { isMarshalDict, PyFloat, PyTuple } from './values.ts';

/**
 * Python's `json.dumps(value, indent=2)`: ASCII only (`\uXXXX`, surrogate
 * pairs beyond the BMP), `", "`-free separators with indentation, floats as
 * Python prints them, NaN/Infinity allowed, keys in insertion order.
 */
export function pyJsonDumps(value: unknown): string {
  return dump(value, '', new Set());
}

const INDENT = '  ';

function dump(value: unknown, indent: string, open: Set<object>): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return pyIntText(value);
  if (typeof value === 'number') return Number.isInteger(value) ? pyIntText(value) : jsonFloat(value);
  if (typeof value === 'string') return jsonString(value);
  if (value instanceof PyFloat) return jsonFloat(value.value);
  const items = value instanceof PyTuple ? value.items : value;
  if (Array.isArray(items)) {
    return block('[', ']', indent, enter(items, open, () => items.map((item) => dump(item, indent + INDENT, open))));
  }
  if (!isMarshalDict(value)) throw unencodableError(`a value of type ${typeof value} is not JSON serializable`);
  const entries = enter(value, open, () => Object.entries(value).map(([key, item]) => `${jsonString(key)}: ${dump(item, indent + INDENT, open)}`));
  return block('{', '}', indent, entries);
}

function enter(container: object, open: Set<object>, render: () => string[]): string[] {
  if (open.has(container)) throw unencodableError('circular reference in parameters');
  open.add(container);
  try {
    return render();
  } finally {
    open.delete(container);
  }
}

function block(start: string, end: string, indent: string, lines: string[]): string {
  if (lines.length === 0) return start + end;
  const inner = indent + INDENT;
  return `${start}\n${inner}${lines.join(`,\n${inner}`)}\n${indent}${end}`;
}

function jsonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(value);
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function jsonString(text: string): string {
  // Per UTF-16 unit, so characters beyond the BMP come out as surrogate pairs, as in Python.
  return `"${text.replace(/[^ -~]|["\\]/g, (char) => SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}
