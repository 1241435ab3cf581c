import { SlapOSError } from '../../errors/index.ts';
import { PyFloat, PyObject, PyTuple, unmarshal, type MarshalDict, type MarshalValue } from '../codec/index.ts';
import { SLAP_ERRORS, unexpectedResponse } from '../errors.ts';

/**
 * Turning decoded answers into the attribute dictionaries the object model
 * keeps. A Python client rebuilds an object by calling its constructor with
 * the marshalled tuple, then setting every marshalled attribute; we do the
 * same on a plain dictionary, so attributes we do not know (a real master
 * sends more, e.g. `_access_status`) are kept.
 */

export type SlapClassName = 'Computer' | 'ComputerPartition' | 'SoftwareRelease' | 'SoftwareInstance';

/** The attributes each class's constructor sets from its positional arguments. */
const CONSTRUCTOR_ATTRIBUTES: Record<SlapClassName, readonly string[]> = {
  Computer: ['_computer_id'],
  ComputerPartition: ['_computer_id', '_partition_id', '_request_dict'],
  SoftwareRelease: ['_software_release', '_computer_guid'],
  SoftwareInstance: [],
};

export interface SlapDocument {
  className: SlapClassName;
  attributes: MarshalDict;
}

/** A fresh dictionary that cannot be polluted through a `__proto__` key. */
export function emptyDict(): MarshalDict {
  return Object.create(null) as MarshalDict;
}

export function isDict(value: MarshalValue | undefined): value is MarshalDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && !(value instanceof PyObject) && !(value instanceof PyTuple) && !(value instanceof PyFloat);
}

/**
 * Decodes a master's answer to `endpoint`. A codec error keeps its
 * SLAP_ERR_XML_* code, gains the endpoint in its message, and takes the
 * status of a bad upstream answer (the codec's 400 is for bad requests).
 */
export function decodeAnswer(answer: string, endpoint: string): MarshalValue {
  try {
    return unmarshal(answer);
  } catch (error) {
    if (!(error instanceof SlapOSError)) throw error;
    throw new SlapOSError(error.code, `${endpoint}: cannot decode the master's answer: ${error.message}`, {
      status: SLAP_ERRORS.SLAP_ERR_UNEXPECTED_RESPONSE, cause: error,
    });
  }
}

/** The attributes of a decoded `slapos.slap.slap` object of one of `expected` classes. */
export function documentOf(value: MarshalValue, expected: readonly SlapClassName[], where: string): SlapDocument {
  if (!(value instanceof PyObject) || value.module !== 'slapos.slap.slap' || !isExpected(value.className, expected)) {
    throw unexpectedResponse(where, `expected a ${expected.join(' or ')} object, got ${describe(value)}`);
  }
  const attributes = emptyDict();
  CONSTRUCTOR_ATTRIBUTES[value.className].forEach((name, index) => {
    const arg = value.args[index];
    if (arg !== undefined) attributes[name] = arg;
  });
  if (value.className === 'SoftwareRelease') attributes._software_instance_list = [];
  Object.assign(attributes, value.attributes);
  return { className: value.className, attributes };
}

/** `decodeAnswer` then `documentOf`: the answer of `endpoint` must be one of `expected`. */
export function decodeDocument(answer: string, expected: readonly SlapClassName[], endpoint: string): SlapDocument {
  return documentOf(decodeAnswer(answer, endpoint), expected, endpoint);
}

function isExpected(className: string, expected: readonly SlapClassName[]): className is SlapClassName {
  return (expected as readonly string[]).includes(className);
}

/** A text attribute: its value, `null` for None, `undefined` when absent; anything else is refused. */
export function textAttribute(attributes: MarshalDict, name: string, where: string): string | null | undefined {
  const value = attributes[name];
  if (value === undefined || value === null || typeof value === 'string') return value;
  throw unexpectedResponse(where, `${name} should be text, got ${describe(value)}`);
}

/** A dictionary attribute: its value, `null` for None, `undefined` when absent; anything else is refused. */
export function dictAttribute(attributes: MarshalDict, name: string, where: string): MarshalDict | null | undefined {
  const value = attributes[name];
  if (value === undefined || value === null || isDict(value)) return value;
  throw unexpectedResponse(where, `${name} should be a dictionary, got ${describe(value)}`);
}

/** A list attribute (absent or None → empty list). */
export function listAttribute(attributes: MarshalDict, name: string, where: string): MarshalValue[] {
  const value = attributes[name];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  throw unexpectedResponse(where, `${name} should be a list, got ${describe(value)}`);
}

/** A short name of a value's type, for messages. */
export function describe(value: MarshalValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof PyObject) return `a ${value.module}.${value.className} object`;
  if (value instanceof PyTuple) return 'a tuple';
  if (value instanceof PyFloat) return 'a float';
  if (typeof value === 'object') return 'a dictionary';
  return `a ${typeof value}`;
}
