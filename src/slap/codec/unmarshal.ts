import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { SlapOSError } from '../../errors/index.ts';
import { xmlClassError, xmlInvalidError, xmlSyntaxError, xmlTooDeepError, xmlTooLargeError } from './errors.ts';
import { isMarshalDict, isSlapClass, PyFloat, PyObject, PyTuple, type MarshalDict, type MarshalValue } from './values.ts';
import { preUnescape } from './xml-text.ts';

export interface UnmarshalOptions {
  /** Largest document accepted, in UTF-8 bytes. Default 32 MiB. */
  maxBytes?: number;
  /** Deepest element nesting accepted. Default 100. */
  maxDepth?: number;
  /**
   * Most values the decoded result may hold, counting a `<reference>` as the
   * whole value it points to, so that no caller walking the result can be
   * made to do more work than this. Default 1,000,000.
   */
  maxElements?: number;
}

const DEFAULTS = { maxBytes: 32 * 1024 * 1024, maxDepth: 100, maxElements: 1_000_000 } as const;

/** Python 3.11's int() refuses more digits than this, which also keeps BigInt parsing cheap. */
const MAX_INT_DIGITS = 4300;
/** What Python's int() and float() accept once surrounding whitespace is stripped. */
const INT_TEXT = /^[+-]?\d(?:_?\d)*$/;
// Written so that no input can make the regex backtrack more than linearly.
const FLOAT_TEXT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

type ScalarTag = 'string' | 'unicode' | 'int' | 'long' | 'float' | 'bool' | 'none' | 'reference';
type ContainerTag = 'marshal' | 'tuple' | 'list' | 'dictionary' | 'object';

const SCALARS: ReadonlySet<string> = new Set<ScalarTag>(['string', 'unicode', 'int', 'long', 'float', 'bool', 'none', 'reference']);
const CONTAINERS: ReadonlySet<string> = new Set<ContainerTag>(['tuple', 'list', 'dictionary', 'object']);

interface ScalarFrame {
  readonly kind: 'scalar';
  readonly tag: ScalarTag;
  readonly id: string | undefined;
  readonly text: string[];
}

interface ContainerFrame {
  readonly kind: 'container';
  readonly tag: ContainerTag;
  readonly id: string | undefined;
  readonly items: MarshalValue[];
  /** Values this container holds once references are expanded (itself included). */
  weight: number;
  readonly module?: string;
  readonly className?: string;
}

type Frame = ScalarFrame | ContainerFrame;

interface Remembered {
  readonly value: MarshalValue;
  readonly weight: number;
}

/**
 * Decodes an xml_marshaller document from an untrusted sender. Strict XML
 * (no DOCTYPE, so no entity expansion), bounded in size, depth and decoded
 * values, linear in the input, and objects only of the four SLAP classes.
 * `<unicode>` reads as `<string>`, element names match by local name (the
 * namespaced variant), and a `<reference>` yields the very same value as the
 * container it names; references to an enclosing container (cycles) are refused.
 * Every failure is a SlapOSError with a SLAP_ERR_XML_* code and status 400.
 */
export function unmarshal(xml: string, options: UnmarshalOptions = {}): MarshalValue {
  const limits = checkOptions(options);
  if (typeof xml !== 'string') throw xmlInvalidError(`expected the document as a string, got ${typeof xml}`);
  if (xml.length > limits.maxBytes || Buffer.byteLength(xml, 'utf8') > limits.maxBytes) {
    throw xmlTooLargeError('bytes', limits.maxBytes);
  }
  const reader = new DocumentReader(limits);
  const parser = new SaxesParser({ xmlns: false, forceXMLVersion: true, defaultXMLVersion: '1.0' });
  parser.on('doctype', () => {
    throw xmlSyntaxError('a DOCTYPE is not allowed');
  });
  parser.on('opentag', (tag) => reader.open(tag));
  parser.on('closetag', () => reader.close());
  parser.on('text', (text) => reader.text(text));
  parser.on('cdata', (text) => reader.text(text));
  try {
    parser.write(xml).close();
  } catch (error) {
    if (error instanceof SlapOSError) throw error;
    throw xmlSyntaxError(error instanceof Error ? error.message : String(error), error);
  }
  return reader.result();
}

function checkOptions(options: UnmarshalOptions): Required<UnmarshalOptions> {
  const limits = { ...DEFAULTS, ...options };
  for (const name of ['maxBytes', 'maxDepth', 'maxElements'] as const) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`unmarshal: option ${name} must be a positive integer, got ${String(value)}`);
  }
  return limits;
}

class DocumentReader {
  readonly #limits: Required<UnmarshalOptions>;
  readonly #stack: Frame[] = [];
  readonly #memo = new Map<string, Remembered>();
  #expanded = 0;
  #root: Remembered | undefined;

  constructor(limits: Required<UnmarshalOptions>) {
    this.#limits = limits;
  }

  result(): MarshalValue {
    if (this.#root === undefined) throw xmlInvalidError('empty document');
    return this.#root.value;
  }

  open(tag: SaxesTagPlain): void {
    const name = localName(tag.name);
    const parent = this.#stack.at(-1);
    if (parent?.kind === 'scalar') throw xmlInvalidError(`<${parent.tag}> cannot contain elements (found <${name}>)`);
    if (this.#stack.length >= this.#limits.maxDepth) throw xmlTooDeepError(this.#limits.maxDepth);
    this.#count(1);
    const id = tag.attributes.id;
    if (name === 'marshal' && parent === undefined) {
      this.#stack.push({ kind: 'container', tag: 'marshal', id: undefined, items: [], weight: 0 });
    } else if (SCALARS.has(name)) {
      this.#stack.push({ kind: 'scalar', tag: name as ScalarTag, id, text: [] });
    } else if (name === 'object') {
      const { module, class: className } = tag.attributes;
      if (module === undefined || className === undefined) throw xmlInvalidError('<object> needs module and class attributes');
      if (!isSlapClass(module, className)) throw xmlClassError(module, className);
      this.#stack.push({ kind: 'container', tag: 'object', id, items: [], weight: 1, module, className });
    } else if (CONTAINERS.has(name)) {
      this.#stack.push({ kind: 'container', tag: name as ContainerTag, id, items: [], weight: 1 });
    } else {
      throw xmlInvalidError(`unsupported element <${name}>`);
    }
  }

  text(text: string): void {
    const frame = this.#stack.at(-1);
    if (frame?.kind === 'scalar') frame.text.push(text);
    else if (text.trim() !== '') throw xmlInvalidError(`text ${JSON.stringify(text.slice(0, 40))} outside of a value element`);
  }

  close(): void {
    const frame = this.#stack.pop()!;
    const done = frame.kind === 'scalar' ? this.#scalar(frame) : this.#container(frame);
    // Python remembers lists, dictionaries and objects by id; tuples and scalars are never referenced.
    if (frame.id !== undefined && frame.kind === 'container' && frame.tag !== 'tuple' && frame.tag !== 'marshal') {
      this.#memo.set(frame.id, done);
    }
    const parent = this.#stack.at(-1);
    if (parent === undefined) {
      this.#root = done;
    } else if (parent.kind === 'container') {
      parent.items.push(done.value);
      parent.weight += done.weight;
    }
  }

  #count(weight: number): void {
    this.#expanded += weight;
    if (this.#expanded > this.#limits.maxElements) throw xmlTooLargeError('values', this.#limits.maxElements);
  }

  #scalar(frame: ScalarFrame): Remembered {
    const text = frame.text.join('');
    switch (frame.tag) {
      case 'string':
      case 'unicode':
        return { value: preUnescape(text), weight: 1 };
      case 'int':
      case 'long':
        return { value: parseInteger(text, frame.tag), weight: 1 };
      case 'bool':
        return { value: parseInteger(text, 'bool') !== 0, weight: 1 };
      case 'float':
        return { value: new PyFloat(parseFloatText(text)), weight: 1 };
      case 'none':
        return { value: null, weight: 1 };
      case 'reference':
        return this.#reference(frame.id);
    }
  }

  #reference(id: string | undefined): Remembered {
    if (id === undefined) throw xmlInvalidError('<reference> without id');
    const target = this.#memo.get(id);
    if (target === undefined) throw xmlInvalidError(`<reference id="${id}"> names no earlier, completed container`);
    // The element itself was counted on opening; add what it stands for.
    this.#count(target.weight - 1);
    return target;
  }

  #container(frame: ContainerFrame): Remembered {
    const { items } = frame;
    switch (frame.tag) {
      case 'marshal':
        if (items.length !== 1) throw xmlInvalidError(`<marshal> must hold exactly one value, found ${items.length}`);
        return { value: items[0]!, weight: frame.weight };
      case 'tuple':
        return { value: new PyTuple(items), weight: frame.weight };
      case 'list':
        return { value: items, weight: frame.weight };
      case 'dictionary':
        return { value: toDictionary(items), weight: frame.weight };
      case 'object':
        return { value: toObject(frame.module!, frame.className!, items), weight: frame.weight };
    }
  }
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

function parseInteger(text: string, tag: string): number | bigint {
  const trimmed = text.trim();
  const digits = trimmed.replaceAll('_', '');
  if (!INT_TEXT.test(trimmed) || digits.length > MAX_INT_DIGITS + 1) throw xmlInvalidError(`<${tag}> holds ${JSON.stringify(text.slice(0, 40))}, not an integer`);
  const number = Number(digits);
  return Number.isSafeInteger(number) ? number : BigInt(digits);
}

function parseFloatText(text: string): number {
  const trimmed = text.trim();
  const special = FLOAT_SPECIAL.exec(trimmed);
  if (special !== null) {
    if (special[2]!.toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT_TEXT.test(trimmed)) throw xmlInvalidError(`<float> holds ${JSON.stringify(text.slice(0, 40))}, not a number`);
  return Number(trimmed.replaceAll('_', ''));
}

function toDictionary(items: MarshalValue[]): MarshalDict {
  if (items.length % 2 !== 0) throw xmlInvalidError('<dictionary> holds an odd number of values');
  const dict: MarshalDict = Object.create(null) as MarshalDict;
  for (let index = 0; index < items.length; index += 2) {
    const key = items[index];
    if (typeof key !== 'string') throw xmlInvalidError('a <dictionary> key is not a string');
    dict[key] = items[index + 1]!;
  }
  return dict;
}

function toObject(module: string, className: string, items: MarshalValue[]): PyObject {
  if (items.length !== 2) throw xmlInvalidError(`<object> must hold constructor arguments and attributes, found ${items.length} values`);
  const [args, state] = items;
  if (!(args instanceof PyTuple)) throw xmlInvalidError('the constructor arguments of an <object> must be a <tuple>');
  if (state !== null && !isMarshalDict(state)) throw xmlInvalidError('the attributes of an <object> must be a <dictionary> or <none/>');
  return new PyObject(module, className, args.items, state ?? (Object.create(null) as MarshalDict));
}
