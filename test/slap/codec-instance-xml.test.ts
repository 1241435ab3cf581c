import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/cli.ts';
import { dict2xml, serialiseParameters, unmarshal, xml2dict, PyTuple, type MarshalDict } from '../../src/slap/index.ts';

interface WriteCase { name: string; params: string; xml: string; json: string | null; read: Record<string, string | null> }
interface ReadCase { name: string; xml: string; read: Record<string, string | null> }

const fixtures = JSON.parse(readFileSync(`${REPO_ROOT}/test/fixtures/codec/instance-xml.json`, 'utf8')) as { write: WriteCase[]; read: ReadCase[] };

function assertCode(run: () => unknown, code: string): void {
  assert.throws(run, (error: unknown) => (error as { code?: unknown }).code === code);
}

describe('instance XML written as slapos.core writes it', () => {
  for (const example of fixtures.write) {
    it(`writes, reads back and serialises "${example.name}"`, () => {
      const params = unmarshal(example.params) as MarshalDict;
      assert.equal(dict2xml(params), example.xml);
      assert.deepEqual({ ...xml2dict(example.xml) }, example.read);
      // A JavaScript object lists array-index keys ('3') first, so their JSON order differs from Python's.
      if (example.json !== null && !/"\d+":/.test(example.json)) assert.equal(serialiseParameters(params), example.json);
    });
  }

  it('matches the spec example of 3.9', () => {
    assert.equal(dict2xml({ a: 1, b: 'x<y', c: null, e: 'Привет' }),
      "<?xml version='1.0' encoding='utf-8'?>\n<instance>\n  <parameter id=\"a\">1</parameter>\n  <parameter id=\"b\">x&lt;y</parameter>\n" +
      '  <parameter id="c">None</parameter>\n  <parameter id="e">Привет</parameter>\n</instance>\n');
    assert.equal(dict2xml({}), "<?xml version='1.0' encoding='utf-8'?>\n<instance/>\n");
    const example = "<?xml version='1.0' encoding='utf-8'?>\n<instance>\n  <parameter id=\"a\">1</parameter>\n  <parameter id=\"b\">x&lt;y</parameter>\n" +
      '  <parameter id="c">None</parameter>\n  <parameter id="e">Привет</parameter>\n</instance>';
    assert.deepEqual({ ...xml2dict(example) }, { a: '1', b: 'x<y', c: 'None', e: 'Привет' });
  });

  it('writes values as Python str() does', () => {
    const xml = dict2xml({ t: new PyTuple([]), u: new PyTuple([1, 'a']), q: "it's \"x\"", n: [null, true, 2.5], d: { 'k': [] } });
    assert.match(xml, /<parameter id="t">\(\)<\/parameter>/);
    assert.match(xml, /<parameter id="u">\(1, 'a'\)<\/parameter>/);
    assert.match(xml, /<parameter id="q">it's "x"<\/parameter>/);
    assert.match(xml, /<parameter id="n">\[None, True, 2.5\]<\/parameter>/);
    assert.match(xml, /<parameter id="d">\{'k': \[\]\}<\/parameter>/);
  });

  it('refuses what it cannot write', () => {
    assertCode(() => dict2xml({ a: 'x\u0000' }), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => dict2xml({ a: undefined }), 'SLAP_ERR_XML_UNENCODABLE');
    assertCode(() => dict2xml([] as unknown as Record<string, unknown>), 'SLAP_ERR_XML_UNENCODABLE');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assertCode(() => serialiseParameters(cyclic), 'SLAP_ERR_XML_UNENCODABLE');
  });
});

describe('instance XML read as slapos.core reads it', () => {
  for (const example of fixtures.read) {
    it(`reads "${example.name}"`, () => {
      assert.deepEqual({ ...xml2dict(example.xml) }, example.read);
    });
  }

  it('does not expand the _ JSON parameter', () => {
    assert.deepEqual({ ...xml2dict('<instance><parameter id="_">{"a": 1}</parameter></instance>') }, { _: '{"a": 1}' });
  });

  it('refuses malformed or hostile documents', () => {
    assertCode(() => xml2dict('<instance><parameter id="a">x</instance>'), 'SLAP_ERR_XML_SYNTAX');
    assertCode(() => xml2dict('<!DOCTYPE i [<!ENTITY e "x">]><instance><parameter id="a">&e;</parameter></instance>'), 'SLAP_ERR_XML_SYNTAX');
    assertCode(() => xml2dict('<instance><parameter>x</parameter></instance>'), 'SLAP_ERR_XML_INVALID');
  });

  it('returns a dictionary safe for any parameter name', () => {
    const read = xml2dict('<instance><parameter id="__proto__">x</parameter><parameter id="constructor">y</parameter></instance>');
    assert.equal(Object.getPrototypeOf(read), null);
    assert.deepEqual(Object.entries(read), [['__proto__', 'x'], ['constructor', 'y']]);
  });
});
