import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigFile, formatConfig } from '../../src/config/index.ts';

function assertUnwritable(sections: Record<string, Record<string, string>>): void {
  assert.throws(() => formatConfig(sections), (error: unknown) => (error as { code?: unknown }).code === 'CONFIG_ERR_UNWRITABLE');
}

it('writes sections, multi-line values indented, % doubled', () => {
  const text = formatConfig({
    slapos: { master_url: 'http://127.0.0.1:8080/', computer_id: 'COMP-1' },
    networkcache: { 'signature-certificate-list': '\n-----BEGIN CERTIFICATE-----\nABC\n\n-----END CERTIFICATE-----', ratio: '50%', empty: '' },
  });
  assert.equal(text, [
    '[slapos]',
    'master_url = http://127.0.0.1:8080/',
    'computer_id = COMP-1',
    '',
    '[networkcache]',
    'signature-certificate-list =',
    '  -----BEGIN CERTIFICATE-----',
    '  ABC',
    '',
    '  -----END CERTIFICATE-----',
    'ratio = 50%%',
    'empty =',
    '',
  ].join('\n'));
  const config = ConfigFile.parse(text, 'written.cfg');
  assert.equal(config.getString('networkcache', 'ratio'), '50%');
  assert.equal(config.getString('networkcache', 'signature-certificate-list'), '\n-----BEGIN CERTIFICATE-----\nABC\n\n-----END CERTIFICATE-----');
});

it('refuses what a configuration file cannot carry', () => {
  assertUnwritable({ 'a\nb': {} });
  assertUnwritable({ '': {} });
  assertUnwritable({ s: { 'a=b': 'x' } });
  assertUnwritable({ s: { 'a:b': 'x' } });
  assertUnwritable({ s: { ' a': 'x' } });
  assertUnwritable({ s: { '#a': 'x' } });
  assertUnwritable({ s: { '[a]': 'x' } });
  assertUnwritable({ s: { A: 'x', a: 'y' } });
  assertUnwritable({ s: { a: ' x' } });
  assertUnwritable({ s: { a: 'x\n  y' } });
  assertUnwritable({ s: { a: 'x\n# y' } });
  assertUnwritable({ s: { a: 'x\n' } });
  assertUnwritable({ s: { a: 'x\ry' } });
});

/** Text the reader gives back unchanged: no surrounding whitespace on any line, no comment-looking continuation line. */
const line = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '%', '(', ')', 's', '=', ':', '[', ']', '#', ';', 'é', '😀', '\t'), maxLength: 10 })
  .map((text) => text.trim());
const value = fc.array(line, { maxLength: 4 }).map((lines) => lines.map((text, index) => (index > 0 ? text.replace(/^[\s#;]+/, '') : text)).join('\n').trimEnd());
const name = fc.stringMatching(/^[a-z0-9_.-]{1,12}$/);
const sectionName = fc.stringMatching(/^[a-zA-Z0-9_ .:-]{1,12}$/).filter((text) => text !== 'DEFAULT');

it('reads back what it writes', () => {
  fc.assert(fc.property(fc.dictionary(sectionName, fc.dictionary(name, value, { maxKeys: 5 }), { maxKeys: 4 }), (sections) => {
    const config = ConfigFile.parse(formatConfig(sections), 'roundtrip.cfg');
    assert.deepEqual(config.sections(), Object.keys(sections));
    for (const [section, options] of Object.entries(sections)) assert.deepEqual(config.items(section), { ...options });
  }), { numRuns: 300 });
});
