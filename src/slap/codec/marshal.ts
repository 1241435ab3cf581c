import { unencodableError } from './errors.ts';
import { comparePyStrings, pyFloatRepr, pyIntText } from './python-text.ts';
import { isMarshalDict, PyFloat, PyObject, PyTuple, type MarshalDict, type MarshalValue } from './values.ts';
import { asciiOnly, assertXmlText, escapeAttribute, escapeText, preEscape } from './xml-text.ts';

/**
 * Python writes `<int>` strictly inside ±1e24 and `<long>` beyond; the bound
 * is the float 1e24, i.e. 999999999999999983222784, not 10**24.
 */
const INT_LIMIT = BigInt(1e24);

/** Printable ASCII other than `&`, `<`, `>`: text that every escaping pass would leave as it is. */
const PLAIN_TEXT = /^[\t\n\x20-\x25\x27-\x3b\x3d\x3f-\x7e]*$/;

/**
 * Encodes a value as an xml_marshaller document, byte for byte as slapos.core
 * (HEAD) writes it: one line, ASCII only, dictionary keys in code-point order,
 * ids numbered in document order, and a container met twice written as a
 * `<reference>` to its first occurrence (which also makes cycles finite).
 *
 * Numbers: an integral number is an `<int>` (`<long>` beyond 1e24), any other
 * number a `<float>`; wrap a value in PyFloat to send `1.0`.
 */
export function marshal(value: MarshalValue): string {
  const writer = new DocumentWriter();
  writer.value(value);
  return `<marshal>${writer.parts.join('')}</marshal>`;
}

class DocumentWriter {
  readonly parts: string[] = [];
  /** The id of every container already written, by identity. */
  readonly #ids = new Map<object, string>();
  #lastId = 1;

  value(value: MarshalValue): void {
    if (value === null) this.parts.push('<none/>');
    else if (typeof value === 'boolean') this.parts.push(value ? '<bool>1</bool>' : '<bool>0</bool>');
    else if (typeof value === 'number') this.#number(value);
    else if (typeof value === 'bigint') this.#integer(value);
    else if (typeof value === 'string') this.#string(value);
    else if (value instanceof PyFloat) this.parts.push(`<float>${pyFloatRepr(value.value)}</float>`);
    else if (value instanceof PyTuple) this.#sequence('tuple', '', value.items);
    else this.#container(value);
  }

  #number(value: number): void {
    if (Number.isInteger(value)) this.#integer(value);
    else this.parts.push(`<float>${pyFloatRepr(value)}</float>`);
  }

  #integer(value: number | bigint): void {
    const small = typeof value === 'bigint' ? -INT_LIMIT < value && value < INT_LIMIT : Math.abs(value) < 1e24;
    const tag = small ? 'int' : 'long';
    this.parts.push(`<${tag}>${pyIntText(value)}</${tag}>`);
  }

  #string(text: string): void {
    // Nearly every string on the wire is plain: skip the four passes below for it.
    if (PLAIN_TEXT.test(text)) {
      this.parts.push(`<string>${text}</string>`);
      return;
    }
    assertXmlText(text, 'a string');
    // Python escapes once before the serializer escapes again (decoders undo both).
    this.parts.push(`<string>${asciiOnly(escapeText(preEscape(text)))}</string>`);
  }

  #container(value: MarshalValue[] | MarshalDict | PyObject): void {
    if (!Array.isArray(value) && !(value instanceof PyObject) && !isMarshalDict(value)) {
      throw unencodableError(`${describe(value)} is not a marshallable value`);
    }
    const seen = this.#ids.get(value);
    if (seen !== undefined) {
      this.parts.push(`<reference id="${seen}"/>`);
      return;
    }
    const id = `i${++this.#lastId}`;
    this.#ids.set(value, id);
    if (Array.isArray(value)) this.#sequence('list', ` id="${id}"`, value);
    else if (value instanceof PyObject) this.#object(id, value);
    else this.#dictionary(id, value);
  }

  #sequence(tag: string, attributes: string, items: readonly MarshalValue[]): void {
    if (items.length === 0) {
      this.parts.push(`<${tag}${attributes}/>`);
      return;
    }
    this.parts.push(`<${tag}${attributes}>`);
    for (const item of items) this.value(item);
    this.parts.push(`</${tag}>`);
  }

  #dictionary(id: string, dict: MarshalDict): void {
    const keys = Object.keys(dict).sort(comparePyStrings);
    if (keys.length === 0) {
      this.parts.push(`<dictionary id="${id}"/>`);
      return;
    }
    this.parts.push(`<dictionary id="${id}">`);
    for (const key of keys) {
      const item = dict[key];
      if (item === undefined) throw unencodableError(`dictionary key ${JSON.stringify(key)} holds undefined`);
      this.#string(key);
      this.value(item);
    }
    this.parts.push('</dictionary>');
  }

  #object(id: string, object: PyObject): void {
    assertXmlText(object.module, 'an object module');
    assertXmlText(object.className, 'an object class');
    const module = asciiOnly(escapeAttribute(object.module));
    const className = asciiOnly(escapeAttribute(object.className));
    this.parts.push(`<object id="${id}" module="${module}" class="${className}">`);
    this.#sequence('tuple', '', object.args);
    if (!isMarshalDict(object.attributes)) throw unencodableError(`the attributes of a ${object.className} must be a dictionary`);
    this.#container(object.attributes);
    this.parts.push('</object>');
  }
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `a value of type ${typeof value}`;
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return `an instance of ${typeof name === 'string' ? name : 'an unknown class'}`;
}
