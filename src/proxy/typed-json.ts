import { PyFloat, PyObject, PyTuple, type MarshalDict, type MarshalValue } from '../slap/index.ts';
import { isMarshalDict } from '../slap/index.ts';

/**
 * The canonical text of typed values: how stores keep slave parameters, and
 * how the allocation tells whether they changed (equal values, equal text).
 *
 * Slave parameters keep their Python types on the wire (int vs float vs
 * bool, tuple vs list), so the store keeps them as JSON in which every
 * non-JSON-native value is a tagged array: a list is ["l", ...items], a
 * tuple ["t", ...items], a dict ["d", {key: value}], a float ["f", n] (or
 * ["f", "inf" | "-inf" | "nan"]), a big int ["b", "digits"], an object
 * ["o", module, class, args, attributes]. Plain strings, integers, booleans
 * and null stay as they are, so there is no ambiguity.
 */
type Tagged = null | boolean | number | string | Tagged[] | { [key: string]: Tagged };

export function encodeTypedJson(value: MarshalDict): string {
  return JSON.stringify(toTagged(value));
}

export function decodeTypedJson(text: string): MarshalDict {
  const value = fromTagged(JSON.parse(text) as Tagged);
  if (!isMarshalDict(value)) throw new TypeError('stored slave parameters are not a dictionary');
  return value;
}

function toTagged(value: MarshalValue): Tagged {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value : ['f', floatText(value)];
  if (typeof value === 'bigint') return ['b', value.toString()];
  if (value instanceof PyFloat) return ['f', floatText(value.value)];
  if (value instanceof PyTuple) return ['t', ...value.items.map(toTagged)];
  if (value instanceof PyObject) {
    return ['o', value.module, value.className, value.args.map(toTagged), toTagged(value.attributes)];
  }
  if (Array.isArray(value)) return ['l', ...value.map(toTagged)];
  // Sorted keys: equal dictionaries give equal text, which the allocation compares.
  const entries = Object.create(null) as { [key: string]: Tagged };
  for (const key of Object.keys(value).sort()) entries[key] = toTagged(value[key]!);
  return ['d', entries];
}

function floatText(value: number): number | string {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}

function floatValue(stored: Tagged | undefined): number {
  if (typeof stored === 'number') return stored;
  if (stored === 'nan') return NaN;
  if (stored === 'inf') return Infinity;
  if (stored === '-inf') return -Infinity;
  throw new TypeError(`bad stored float: ${JSON.stringify(stored)}`);
}

function fromTagged(stored: Tagged): MarshalValue {
  if (stored === null || typeof stored === 'boolean' || typeof stored === 'string' || typeof stored === 'number') return stored;
  if (!Array.isArray(stored)) throw new TypeError('untagged object in stored slave parameters');
  const [tag, ...rest] = stored;
  switch (tag) {
    case 'l': return rest.map(fromTagged);
    case 't': return new PyTuple(rest.map(fromTagged));
    case 'f': return new PyFloat(floatValue(rest[0]));
    case 'b': return BigInt(String(rest[0]));
    case 'd': return dictFrom(rest[0]);
    case 'o': {
      const [module, className, args, attributes] = rest;
      if (typeof module !== 'string' || typeof className !== 'string' || !Array.isArray(args) || !Array.isArray(attributes)) {
        throw new TypeError('bad stored object');
      }
      const decoded = fromTagged(attributes);
      if (!isMarshalDict(decoded)) throw new TypeError('bad stored object attributes');
      return new PyObject(module, className, args.map(fromTagged), decoded);
    }
    default: throw new TypeError(`unknown tag in stored slave parameters: ${JSON.stringify(tag)}`);
  }
}

function dictFrom(entries: Tagged | undefined): MarshalDict {
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) throw new TypeError('bad stored dictionary');
  const dict: MarshalDict = Object.create(null) as MarshalDict;
  for (const [key, item] of Object.entries(entries)) dict[key] = fromTagged(item);
  return dict;
}
