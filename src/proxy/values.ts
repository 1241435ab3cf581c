import { isMarshalDict, PyFloat, PyTuple, type MarshalValue } from '../slap/index.ts';

/** A decoded value that must be text (or None), e.g. an SLA entry. */
export function textOrNull(value: MarshalValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : null;
}

/** Python's `repr()` of a text, for answers that quote a value the way the original does. */
export function pythonRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '\\' || char === quote) out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out + quote;
}

/** Python's truth of a decoded value: None, False, zero and empty containers are false. */
export function pythonTruth(value: MarshalValue): boolean {
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  if (value instanceof PyFloat) return value.value !== 0;
  if (value instanceof PyTuple) return value.items.length > 0;
  if (isMarshalDict(value)) return Object.keys(value).length > 0;
  return true;
}
