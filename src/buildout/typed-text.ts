import { isValueDict, type Value } from './values.ts';

/**
 * Typed option values written as configuration text: what a template's
 * `dumps(value)` puts into a generated profile so that the engine reading
 * that profile gets the same value back (SlapOS's zc.buildout has such a
 * round trip; its text format is its own, this one is documented in
 * docs/BUILDOUT.md).
 *
 * - a one-line string without surrounding blanks, not starting with the
 *   marker, is written as itself;
 * - anything else is the marker `$typed:` followed by JSON, sets written as
 *   `{"$set": [...]}`.
 * `${` is escaped as `$${` either way, so that substitution leaves it alone.
 */
const MARKER = '$typed:';
const SET_KEY = '$set';

function toJson(value: unknown): unknown {
  if (value instanceof Set) return { [SET_KEY]: [...value].map(toJson) };
  if (Array.isArray(value)) return value.map(toJson);
  if (isValueDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value === undefined ? null : value;
}

function fromJson(value: unknown): Value {
  if (Array.isArray(value)) return value.map(fromJson);
  if (isValueDict(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === SET_KEY && Array.isArray(value[SET_KEY])) return new Set(value[SET_KEY].map(fromJson));
    return Object.fromEntries(keys.map((key) => [key, fromJson(value[key])]));
  }
  return value as Value;
}

export function dumpValue(value: unknown): string {
  const plain = typeof value === 'string' && !value.includes('\n') && value.trim() === value && !value.startsWith(MARKER);
  const text = plain ? value : `${MARKER}${JSON.stringify(toJson(value))}`;
  return text.replaceAll('${', () => '$${');
}

/** The value an option's text stands for: typed when it carries the marker, else the text itself. */
export function loadValue(text: string): Value {
  if (!text.startsWith(MARKER)) return text;
  try {
    return fromJson(JSON.parse(text.slice(MARKER.length)) as unknown);
  } catch {
    // Not ours after all: keep the text.
    return text;
  }
}

export function isTypedText(text: string): boolean {
  return text.startsWith(MARKER);
}
