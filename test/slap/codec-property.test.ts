import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dict2xml, marshal, unmarshal, xml2dict, PyFloat, PyObject, PyTuple, SLAP_CLASSES, SLAP_MODULE, type MarshalValue } from '../../src/slap/index.ts';
import { pyFloatRepr } from '../../src/slap/codec/python-text.ts';
import { describeValue } from '../fixtures/codec/describe.ts';

/** Any character XML 1.0 can carry, with markup characters, line ends and non-BMP text well represented. */
const xmlChar = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', ' ', ']]>', '&amp;', '&lt;'),
  fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0xa0, max: 0xd7ff }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0xe000, max: 0xfffd }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
);
const xmlText = fc.string({ unit: xmlChar, maxLength: 12 });

const leaf: fc.Arbitrary<MarshalValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
  fc.double().map((value) => new PyFloat(value)),
  xmlText,
);

const { value: marshalValue } = fc.letrec<{ value: MarshalValue; tuple: PyTuple; list: MarshalValue[]; dict: { [key: string]: MarshalValue }; object: PyObject }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('tuple'), tie('list'), tie('dict'), tie('object')),
  tuple: fc.array(tie('value'), { maxLength: 4 }).map((items) => new PyTuple(items)),
  list: fc.array(tie('value'), { maxLength: 4 }),
  dict: fc.dictionary(xmlText, tie('value'), { maxKeys: 4 }),
  object: fc.tuple(fc.constantFrom(...SLAP_CLASSES), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(xmlText, tie('value'), { maxKeys: 3 }))
    .map(([className, args, attributes]) => new PyObject(SLAP_MODULE, className, args, attributes)),
}));

it('round-trips random nested values through marshal and unmarshal', () => {
  fc.assert(fc.property(marshalValue, (value) => {
    const document = marshal(value);
    const decoded = unmarshal(document);
    assert.deepEqual(describeValue(decoded), describeValue(value));
    assert.equal(marshal(decoded), document);
  }), { numRuns: 500 });
});

it('writes floats as Python repr, which reads back to the same number', () => {
  fc.assert(fc.property(fc.double({ noNaN: true }), (value) => {
    const text = pyFloatRepr(value);
    const parsed = text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
    assert.ok(Object.is(parsed, value), `${text} reads back as ${parsed}, not ${value}`);
    assert.match(text, /^-?(?:inf|\d+\.\d+|\d(?:\.\d+)?e[+-]\d{2,3})$/);
  }), { numRuns: 2000 });
});

it('round-trips text parameters through the instance XML (empty text reads as None)', () => {
  fc.assert(fc.property(fc.dictionary(xmlText, xmlText, { maxKeys: 6 }), (params) => {
    const read = xml2dict(dict2xml(params));
    assert.deepEqual({ ...read }, Object.fromEntries(Object.entries(params).map(([key, text]) => [key, text === '' ? null : text])));
  }), { numRuns: 300 });
});
