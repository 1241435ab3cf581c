/**
 * Option values. Raw values from files are strings; recipes (slapconfiguration,
 * request) may store typed values — lists, sets, dicts, numbers — which
 * Jinja2 `key`/`section` contexts hand to templates unchanged, as SlapOS's
 * zc.buildout allows.
 */
export type Value = string | number | boolean | null | Value[] | Set<Value> | ValueDict;
export interface ValueDict { [key: string]: Value }

export function isValueDict(value: unknown): value is ValueDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Set);
}

/** Python's str() of a value: what `${}` inserts and what a template prints. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** Python's repr() of a str: quoted as Python chooses, backslash, newline and tab escaped. */
export function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\t', '\\t').replaceAll(quote, `\\${quote}`);
  return `${quote}${body}${quote}`;
}

/**
 * Python's repr() of a value. Containers show their items with `itemRepr`,
 * so that a caller knowing more types (the Jinja2 layer's tuples) prints
 * nested values its own way with this one function.
 */
export function pyRepr(value: unknown, itemRepr: (item: unknown) => string = pyRepr): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStringRepr(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const items = (list: Iterable<unknown>): string => [...list].map((item) => itemRepr(item)).join(', ');
  const entries = (list: Iterable<[unknown, unknown]>): string => [...list].map(([k, v]) => `${itemRepr(k)}: ${itemRepr(v)}`).join(', ');
  if (Array.isArray(value)) return `[${items(value)}]`;
  if (value instanceof Set) return value.size === 0 ? 'set()' : `{${items(value)}}`;
  if (value instanceof Map) return `{${entries(value)}}`;
  if (typeof value === 'object') return `{${entries(Object.entries(value))}}`;
  return String(value);
}

/**
 * The text form of a value in `.installed.cfg`: strings as they are, typed
 * values as JSON (sets as sorted arrays), so that a change of a typed value
 * is seen as a change of the part's options.
 */
export function savedForm(value: Value): string {
  return typeof value === 'string' ? value : JSON.stringify(value, (_key, v: unknown) => (v instanceof Set ? [...v].map((x) => JSON.stringify(x)).sort().map((x) => JSON.parse(x) as unknown) : v));
}

/** Python's json.dumps defaults: ", " / ": " separators, non-ASCII escaped. */
export function jsonDumps(value: unknown, options: { sortKeys?: boolean; indent?: number } = {}): string {
  const replacer = (_key: string, v: unknown): unknown => {
    if (v instanceof Set) return [...v];
    // boxed numbers and strings (template values) are serialised as their primitive
    if (options.sortKeys && typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Number) && !(v instanceof String)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  };
  let text: string;
  if (options.indent !== undefined) {
    text = JSON.stringify(value, replacer, options.indent);
  } else {
    // Re-serialise with Python's separators without touching string contents.
    text = JSON.stringify(value, replacer) ?? 'null';
    text = text.replace(/("(?:[^"\\]|\\.)*")|([,:])/g, (all, string: string | undefined, separator: string | undefined) => string ?? `${separator} `);
  }
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
