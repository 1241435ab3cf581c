import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  parseKeyValueList, resolveSoftwareRelease, isSoftwareReleaseUrl, readParametersFile, prepareParameters, decodeConnectionParameters,
  checkInstanceRequest, type InstanceRequest,
} from '../../src/client/index.ts';
import { tempDir } from './helpers.ts';

const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

test('KEY=VALUE words become a dictionary; the value keeps later "=" signs', () => {
  assert.deepEqual(parseKeyValueList(['computer_guid=COMP-1', 'url=http://x/?a=b', 'empty='], '--node'),
    { computer_guid: 'COMP-1', url: 'http://x/?a=b', empty: '' });
  assert.deepEqual(parseKeyValueList([], '--node'), {});
});

test('KEY=VALUE: a word without "=", an empty key or a repeated key is refused, naming the option', () => {
  assert.throws(() => parseKeyValueList(['novalue'], '--parameters'), (e: Error) => codeOf('CLIENT_ERR_KEY_VALUE')(e) && /--parameters.*"novalue"/.test(e.message));
  assert.throws(() => parseKeyValueList(['=x'], '--node'), codeOf('CLIENT_ERR_KEY_VALUE'));
  assert.throws(() => parseKeyValueList(['a=1', 'a=2'], '--node'), (e: Error) => /"a" given more than once/.test(e.message));
});

test('KEY=VALUE: __proto__ is an ordinary key', () => {
  const parsed = parseKeyValueList(['__proto__=x'], '--node');
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  assert.deepEqual(Object.keys(parsed), ['__proto__']);
});

test('KEY=VALUE: any key without "=" and any value round-trip', () => {
  fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1 }).filter((k) => !k.includes('=') && k.trim() !== ''), fc.string()), (dict) => {
    const words = Object.entries(dict).map(([k, v]) => `${k}=${v}`);
    assert.deepEqual(parseKeyValueList(words, '--node'), { ...dict });
  }));
});

test('software release: aliases resolve, URLs and absolute paths pass, anything else is refused', () => {
  const aliases = new Map([['kvm', 'https://example.org/kvm/software.cfg'], ['broken', 'kvm']]);
  assert.equal(resolveSoftwareRelease('kvm', aliases), 'https://example.org/kvm/software.cfg');
  assert.equal(resolveSoftwareRelease('http://example.org/a.cfg?x=1&y=2', aliases), 'http://example.org/a.cfg?x=1&y=2');
  assert.equal(resolveSoftwareRelease('/srv/project/software.cfg', aliases), '/srv/project/software.cfg');
  assert.equal(resolveSoftwareRelease('file:///srv/software.cfg', aliases), 'file:///srv/software.cfg');
  assert.equal(resolveSoftwareRelease('product.kvm', aliases), 'product.kvm', 'a software product is resolved by the master');
  assert.throws(() => resolveSoftwareRelease('kmv', aliases), (e: Error) => codeOf('CLIENT_ERR_SOFTWARE_URL')(e) && /unknown alias.*known aliases: kvm, broken/.test(e.message));
  assert.throws(() => resolveSoftwareRelease('http//example.org/x.cfg', aliases), /not a URL/);
  assert.throws(() => resolveSoftwareRelease('broken', aliases), /alias "broken" points to "kvm"/);
  for (const bad of ['http:example.org', 'ftp://example.org/x.cfg', 'software.cfg', 'https://']) assert.equal(isSoftwareReleaseUrl(bad), false, bad);
});

test('parameters file: a JSON object, flat strings one per key, nested values as JSON in "_"', (t) => {
  const dir = tempDir(t);
  const flat = join(dir, 'flat.json');
  writeFileSync(flat, '{"a": "1", "b": "x=y"}');
  assert.deepEqual(readParametersFile(flat), { a: '1', b: 'x=y' });
  const nested = join(dir, 'nested.json');
  writeFileSync(nested, '{"ram": 2048, "disks": ["a"]}');
  assert.deepEqual(JSON.parse(readParametersFile(nested)._!), { ram: 2048, disks: ['a'] });
  assert.deepEqual(readParametersFile(nested, 'xml'), { ram: '2048', disks: '["a"]' });
  assert.deepEqual(Object.keys(readParametersFile(flat, 'json-in-xml')), ['_']);
  const xml = join(dir, 'params.xml');
  writeFileSync(xml, '<?xml version="1.0" encoding="utf-8"?>\n<instance><parameter id="a">1</parameter></instance>');
  assert.deepEqual({ ...readParametersFile(xml) }, { a: '1' });
});

test('parameters file: missing, not JSON, or not an object is CLIENT_ERR_PARAMETERS_FILE', (t) => {
  const dir = tempDir(t);
  assert.throws(() => readParametersFile(join(dir, 'missing.json')), (e: Error) => codeOf('CLIENT_ERR_PARAMETERS_FILE')(e) && /cannot read/.test(e.message));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{a: 1}');
  assert.throws(() => readParametersFile(bad), /is not JSON/);
  writeFileSync(bad, '[1, 2]');
  assert.throws(() => readParametersFile(bad), /must hold a JSON object/);
});

test('prepareParameters keeps an explicit "_" document as it is', () => {
  assert.deepEqual(prepareParameters({ _: '{"a": 1}' }), { _: '{"a": 1}' });
  assert.deepEqual(prepareParameters({}), {});
});

test('connection parameters published as JSON in "_" are shown decoded', () => {
  assert.deepEqual(decodeConnectionParameters({ _: '{"url": "http://x"}' }), { url: 'http://x' });
  assert.deepEqual(decodeConnectionParameters({ _: 'not json' }), { _: 'not json' });
  assert.deepEqual(decodeConnectionParameters({ url: 'http://x' }), { url: 'http://x' });
});

test('an instance request with an empty name, unknown state or empty type is refused', () => {
  const base: InstanceRequest = { reference: 'a', softwareRelease: 'http://x/s.cfg', shared: false, parameters: {}, filter: {} };
  assert.equal(checkInstanceRequest(base), base);
  assert.throws(() => checkInstanceRequest({ ...base, reference: ' ' }), codeOf('CLIENT_ERR_INVALID_OPTION'));
  assert.throws(() => checkInstanceRequest({ ...base, state: 'running' as never }), /--state must be one of started, stopped, destroyed/);
  assert.throws(() => checkInstanceRequest({ ...base, softwareType: '' }), /--type is empty/);
});
