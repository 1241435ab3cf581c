import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { marshal, unmarshal, PyFloat, PyObject, PyTuple, SLAP_MODULE, type MarshalDict, type MarshalValue } from '../../src/slap/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { describeValue, type Described } from '../fixtures/codec/describe.ts';

/** Documents produced by the Python reference implementation (test/fixtures/codec, see README there). */
interface Example {
  name: string;
  document: string;
  value: Described;
  python?: string;
}

const fixtures = `${REPO_ROOT}/test/fixtures/codec`;
const specExamples = JSON.parse(readFileSync(`${fixtures}/spec-examples.json`, 'utf8')) as Example[];
const pythonValues = JSON.parse(readFileSync(`${fixtures}/python-values.json`, 'utf8')) as Example[];

function assertCode(run: () => unknown, code: string): void {
  assert.throws(run, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code, `expected ${code}, got ${String(error)}`);
    return true;
  });
}

describe('xml_marshaller codec against the spec examples', () => {
  for (const example of specExamples) {
    it(`decodes and re-encodes ${example.name}`, () => {
      const value = unmarshal(example.document);
      assert.deepEqual(describeValue(value), example.value);
      assert.equal(marshal(value), example.python);
    });
  }

  it('reads the 3.7 getFullComputerInformation example into the SLAP objects', () => {
    const example = specExamples.find((candidate) => candidate.name.startsWith('getFullComputerInformation') && candidate.document.includes('class="Computer"'));
    assert.ok(example !== undefined);
    const computer = unmarshal(example.document) as PyObject;
    assert.equal(computer.className, 'Computer');
    assert.deepEqual(computer.args, ['COMP-123']);
    const partitions = computer.attributes._computer_partition_list as PyObject[];
    assert.deepEqual(partitions.map((partition) => partition.attributes._partition_id), ['slappart0', 'slappart1']);
    const parameters = partitions[0]!.attributes._parameter_dict as MarshalDict;
    assert.deepEqual(parameters.ip_list, [new PyTuple(['slaptap0', '10.0.0.10'])]);
    assert.equal(parameters.timestamp, '1700000000.25');
    assert.equal(partitions[0]!.attributes._need_modification, 1);
    assert.equal(Object.getPrototypeOf(parameters), null);
  });

  it('accepts <string/>, <unicode>, pretty-printing, a declaration, comments and the namespaced variant', () => {
    assert.equal(unmarshal('<marshal><string/></marshal>'), '');
    assert.equal(unmarshal('<marshal><unicode>a&amp;lt;b</unicode></marshal>'), 'a<b');
    assert.deepEqual(unmarshal("<?xml version='1.0'?>\n<marshal>\n  <list id=\"i2\">\n    <int> 7 </int><!-- c -->\n  </list>\n</marshal>\n"), [7]);
    const namespaced = '<marshal:marshal xmlns:marshal="http://www.erp5.org/namespaces/marshaller"><marshal:list id="i2"><marshal:string>x</marshal:string></marshal:list></marshal:marshal>';
    assert.deepEqual(unmarshal(namespaced), ['x']);
    assert.equal(unmarshal('<marshal><string> keep  \n spaces </string></marshal>'), ' keep  \n spaces ');
  });
});

describe('xml_marshaller codec against Python-made documents', () => {
  it(`decodes ${pythonValues.length} documents to the values Python marshalled, and re-encodes them byte for byte`, () => {
    for (const example of pythonValues) {
      const value = unmarshal(example.document);
      assert.deepEqual(describeValue(value), example.value, example.name);
      assert.equal(marshal(value), example.document, example.name);
    }
  });

  it('gives a <reference> the very container it names', () => {
    const shared = pythonValues.find((example) => example.name === 'shared list');
    assert.ok(shared !== undefined);
    const value = unmarshal(shared.document) as MarshalDict;
    assert.equal(value.a, value.b);
  });
});

describe('xml_marshaller encoding', () => {
  it('tags JavaScript numbers as Python would see them', () => {
    assert.equal(marshal(8080), '<marshal><int>8080</int></marshal>');
    assert.equal(marshal(1.5), '<marshal><float>1.5</float></marshal>');
    assert.equal(marshal(new PyFloat(1)), '<marshal><float>1.0</float></marshal>');
    assert.equal(marshal(2 ** 70), '<marshal><int>1180591620717411303424</int></marshal>');
    assert.equal(marshal(2 ** 80), '<marshal><long>1208925819614629174706176</long></marshal>');
    assert.equal(marshal(10n ** 24n), '<marshal><long>1000000000000000000000000</long></marshal>');
    assert.equal(marshal(-(10n ** 24n)), '<marshal><long>-1000000000000000000000000</long></marshal>');
    assert.equal(marshal(Number.NaN), '<marshal><float>nan</float></marshal>');
    assert.equal(marshal(-Infinity), '<marshal><float>-inf</float></marshal>');
  });

  it('numbers containers in document order and writes a repeated one as a reference', () => {
    const list: MarshalValue[] = ['x'];
    assert.equal(marshal({ a: list, b: list }),
      '<marshal><dictionary id="i2"><string>a</string><list id="i3"><string>x</string></list><string>b</string><reference id="i3"/></dictionary></marshal>');
    const cyclic: MarshalValue[] = [];
    cyclic.push(cyclic);
    assert.equal(marshal(cyclic), '<marshal><list id="i2"><reference id="i2"/></list></marshal>');
  });

  it('escapes object attributes as lxml does', () => {
    const object = new PyObject('m"<&>', 'C\né', [], {});
    assert.equal(marshal(object), '<marshal><object id="i2" module="m&quot;&lt;&amp;&gt;" class="C&#10;&#233;"><tuple/><dictionary id="i3"/></object></marshal>');
  });

  it('keeps any dictionary key, __proto__ included, as an own key', () => {
    const document = '<marshal><dictionary id="i2"><string>__proto__</string><list id="i3"/><string>constructor</string><none/></dictionary></marshal>';
    const value = unmarshal(document) as MarshalDict;
    assert.deepEqual(Object.keys(value), ['__proto__', 'constructor']);
    assert.deepEqual(value.__proto__, []);
    assert.equal(marshal(value), document);
  });

  it('refuses what XML or the wire cannot carry', () => {
    assertCode(() => marshal(new PyObject(SLAP_MODULE, 'Computer', [], [] as unknown as MarshalDict)), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => marshal('a\u0000b'), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => marshal('\ud800'), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => marshal('\uffff'), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => marshal({ 'a\u0001': 1 }), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => marshal(undefined as unknown as MarshalValue), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => marshal(new Date() as unknown as MarshalValue), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => marshal({ a: undefined } as unknown as MarshalValue), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => marshal([() => 1] as unknown as MarshalValue), 'SLAP_ERR_XML_UNENCODABLE');
  });
});

describe('xml_marshaller decoding of untrusted input', () => {
  const cases: Array<[string, string, string]> = [
    ['not XML', '<marshal><string>', 'SLAP_ERR_XML_SYNTAX'],
    ['empty text', '', 'SLAP_ERR_XML_SYNTAX'],
    ['a DOCTYPE', '<!DOCTYPE marshal [<!ENTITY x "y">]><marshal><string>&x;</string></marshal>', 'SLAP_ERR_XML_SYNTAX'],
    ['an undeclared entity', '<marshal><string>&x;</string></marshal>', 'SLAP_ERR_XML_SYNTAX'],
    ['a foreign class', '<marshal><object id="i2" module="os" class="system"><tuple><string>id</string></tuple><none/></object></marshal>', 'SLAP_ERR_XML_CLASS'],
    ['a SLAP-looking class of another module', '<marshal><object id="i2" module="slapos.slap" class="Computer"><tuple/><none/></object></marshal>', 'SLAP_ERR_XML_CLASS'],
    ['an object without class', '<marshal><object id="i2" module="slapos.slap.slap"><tuple/><none/></object></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['an object with one part', '<marshal><object id="i2" module="slapos.slap.slap" class="Computer"><tuple/></object></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['object arguments that are not a tuple', '<marshal><object id="i2" module="slapos.slap.slap" class="Computer"><string>a</string><none/></object></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['object attributes that are not a dictionary', '<marshal><object id="i2" module="slapos.slap.slap" class="Computer"><tuple/><int>1</int></object></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['code', '<marshal><code>AAAA</code></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a set', '<marshal><set id="i2"/></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['an unknown element', '<marshal><pickle/></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['two values', '<marshal><none/><none/></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['no value', '<marshal/>', 'SLAP_ERR_XML_INVALID'],
    ['a nested marshal', '<marshal><marshal><none/></marshal></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['text in a list', '<marshal><list id="i2">x<none/></list></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['an element in a string', '<marshal><string>a<none/></string></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a bad int', '<marshal><int>12a</int></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a hex int', '<marshal><int>0x10</int></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['an empty int', '<marshal><int/></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a huge int', `<marshal><long>${'9'.repeat(5000)}</long></marshal>`, 'SLAP_ERR_XML_INVALID'],
    ['a bad float', '<marshal><float>1.2.3</float></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a bad bool', '<marshal><bool>yes</bool></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['an odd dictionary', '<marshal><dictionary id="i2"><string>a</string></dictionary></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a non-text key', '<marshal><dictionary id="i2"><int>1</int><none/></dictionary></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a reference to nothing', '<marshal><reference id="i9"/></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a reference without id', '<marshal><list id="i2"/><reference/></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a cycle', '<marshal><list id="i2"><reference id="i2"/></list></marshal>', 'SLAP_ERR_XML_INVALID'],
    ['a reference to a tuple', '<marshal><list id="i2"><tuple id="i3"/><reference id="i3"/></list></marshal>', 'SLAP_ERR_XML_INVALID'],
  ];
  for (const [what, document, code] of cases) {
    it(`refuses ${what} with ${code}`, () => assertCode(() => unmarshal(document), code));
  }

  it('reads Python number forms', () => {
    assert.deepEqual(unmarshal('<marshal><list id="i2"><int>+1_000</int><int>-0</int><bool> 2 </bool><bool>0</bool><float>-Infinity</float><float>.5</float><float>5.</float><float>1E3</float><float>NaN</float></list></marshal>'),
      [1000, -0, true, false, new PyFloat(-Infinity), new PyFloat(0.5), new PyFloat(5), new PyFloat(1000), new PyFloat(Number.NaN)]);
    assert.equal(unmarshal('<marshal><int>9007199254740993</int></marshal>'), 9007199254740993n);
  });

  it('enforces its size, depth and value limits', () => {
    assertCode(() => unmarshal('<marshal><string>0123456789</string></marshal>', { maxBytes: 20 }), 'SLAP_ERR_XML_TOO_LARGE');
    assertCode(() => unmarshal('<marshal><string>ééééé</string></marshal>', { maxBytes: 30 }), 'SLAP_ERR_XML_TOO_LARGE');
    const nested = `<marshal>${'<list>'.repeat(50)}${'</list>'.repeat(50)}</marshal>`;
    assert.doesNotThrow(() => unmarshal(nested, { maxDepth: 51 }));
    assertCode(() => unmarshal(nested, { maxDepth: 50 }), 'SLAP_ERR_XML_TOO_DEEP');
    assertCode(() => unmarshal(`<marshal>${'<list>'.repeat(100_000)}`), 'SLAP_ERR_XML_TOO_DEEP');
    assertCode(() => unmarshal(`<marshal><list>${'<none/>'.repeat(20)}</list></marshal>`, { maxElements: 20 }), 'SLAP_ERR_XML_TOO_LARGE');
  });

  it('counts a reference as the whole value it repeats (no billion laughs)', () => {
    // Each list holds two references to the previous one: 40 levels would stand for 2^40 values.
    let body = '<list id="i1"><none/></list>';
    for (let level = 2; level <= 40; level++) body += `<list id="i${level}"><reference id="i${level - 1}"/><reference id="i${level - 1}"/></list>`;
    assertCode(() => unmarshal(`<marshal><list>${body}</list></marshal>`), 'SLAP_ERR_XML_TOO_LARGE');
  });

  it('rejects bad options as a programming error', () => {
    assert.throws(() => unmarshal('<marshal><none/></marshal>', { maxDepth: 0 }), TypeError);
    assert.throws(() => unmarshal('<marshal><none/></marshal>', { maxBytes: Number.NaN }), TypeError);
  });

  it('answers status 400 for what the other side sent', () => {
    assert.throws(() => unmarshal('<marshal>'), (error: unknown) => (error as { status?: unknown }).status === 400);
  });
});
