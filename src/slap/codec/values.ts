/**
 * The JavaScript side of Python values on the SLAP wire. Python keeps types
 * that JavaScript merges (tuple vs list, float vs int), and the wire format
 * shows the difference, so those get wrappers; everything else maps onto
 * plain JavaScript values.
 */

/** A Python tuple: marshalled as `<tuple>` (no id), unlike arrays (`<list id>`). */
export class PyTuple {
  constructor(readonly items: MarshalValue[]) {}
}

/** A Python float, so that `1.0` stays a float (`<float>1.0</float>`) and not `<int>1</int>`. */
export class PyFloat {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}

/** An instance of one of the SLAP classes: constructor arguments plus attributes. */
export class PyObject {
  constructor(
    readonly module: string,
    readonly className: string,
    readonly args: MarshalValue[],
    readonly attributes: MarshalDict,
  ) {}
}

export type MarshalDict = { [key: string]: MarshalValue };

export type MarshalValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | PyTuple
  | MarshalValue[]
  | MarshalDict
  | PyObject;

/** The module of every class SLAP marshals. */
export const SLAP_MODULE = 'slapos.slap.slap';

/** The only classes a decoder accepts, as slapos.core's safe unmarshaller. */
export const SLAP_CLASSES: ReadonlySet<string> = new Set(['Computer', 'ComputerPartition', 'SoftwareRelease', 'SoftwareInstance']);

export function isSlapClass(module: string, className: string): boolean {
  return module === SLAP_MODULE && SLAP_CLASSES.has(className);
}

/** A plain dictionary (plain or null prototype), as opposed to arrays, wrappers, dates, maps… */
export function isMarshalDict(value: unknown): value is MarshalDict {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
