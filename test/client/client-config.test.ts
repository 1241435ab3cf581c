import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFile } from '../../src/config/index.ts';
import { clientConfigFromFile, clientConfigPath, loadClientConfig, type ClientEnvironment } from '../../src/client/index.ts';
import { tempDir } from './helpers.ts';

const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;
const where = (home: string, env: Record<string, string> = {}): ClientEnvironment => ({ env, home, cwd: home });
const parse = (text: string) => ConfigFile.parse(text, '/etc/client.cfg');

test('the client configuration path: --cfg, else $SLAPOS_CLIENT_CONFIGURATION, else ~/.slapos/slapos-client.cfg', () => {
  assert.equal(clientConfigPath('~/my.cfg', where('/home/a')), '/home/a/my.cfg');
  assert.equal(clientConfigPath('rel.cfg', where('/home/a')), '/home/a/rel.cfg');
  assert.equal(clientConfigPath(undefined, where('/home/a', { SLAPOS_CLIENT_CONFIGURATION: '/etc/c.cfg' })), '/etc/c.cfg');
  assert.equal(clientConfigPath(undefined, where('/home/a')), '/home/a/.slapos/slapos-client.cfg');
});

test('master_url and aliases in file order; no key/cert needed for http', () => {
  const config = clientConfigFromFile(parse(`[slapos]
master_url = http://127.0.0.1:8080
[slapconsole]
alias =
  kvm https://example.org/kvm/software.cfg
  frontend   https://example.org/frontend/software.cfg
`), {}, where('/home/a'));
  assert.equal(config.masterUrl, 'http://127.0.0.1:8080');
  assert.deepEqual([...config.aliases], [['kvm', 'https://example.org/kvm/software.cfg'], ['frontend', 'https://example.org/frontend/software.cfg']]);
  assert.equal(config.keyFile, undefined);
});

test('key and certificate: command line, else [slapconsole], else [slapos] only when both are unset', (t) => {
  const dir = tempDir(t);
  for (const name of ['person.key', 'person.crt', 'node.key', 'node.crt', 'cli.key']) writeFileSync(join(dir, name), 'x');
  const text = (slapconsole: string) => `[slapos]
master_url = https://master.example.org/
key_file = ${dir}/node.key
cert_file = ${dir}/node.crt
[slapconsole]
${slapconsole}`;
  const person = clientConfigFromFile(parse(text(`key_file = ${dir}/person.key\ncert_file = ${dir}/person.crt`)), {}, where(dir));
  assert.deepEqual([person.keyFile, person.certFile], [`${dir}/person.key`, `${dir}/person.crt`]);
  const node = clientConfigFromFile(parse(text('')), {}, where(dir));
  assert.deepEqual([node.keyFile, node.certFile], [`${dir}/node.key`, `${dir}/node.crt`]);
  const cli = clientConfigFromFile(parse(text(`cert_file = ${dir}/person.crt`)), { keyFile: '~/cli.key' }, where(dir));
  assert.deepEqual([cli.keyFile, cli.certFile], [`${dir}/cli.key`, `${dir}/person.crt`]);
});

test('bad client configurations are refused with the file named', (t) => {
  const dir = tempDir(t);
  const refuse = (text: string, pattern: RegExp) =>
    assert.throws(() => clientConfigFromFile(parse(text), {}, where(dir)), (e: Error) => codeOf('CLIENT_ERR_CONFIG_INVALID')(e) && pattern.test(e.message) && e.message.includes('/etc/client.cfg'));
  refuse('[slapos]\n', /no option 'master_url'/);
  refuse('[slapos]\nmaster_url = not a url\n', /is not a URL/);
  refuse('[slapos]\nmaster_url = ftp://x/\n', /must start with http/);
  refuse('[slapos]\nmaster_url = https://x/\n', /uses https.*key_file and cert_file/);
  refuse(`[slapos]\nmaster_url = https://x/\n[slapconsole]\nkey_file = ${dir}/none.key\ncert_file = ${dir}/none.crt\n`, /none.key does not exist/);
  refuse('[slapos]\nmaster_url = http://x/\n[slapconsole]\nalias = kvm\n', /alias line "kvm" is not "name url"/);
  refuse('[slapos]\nmaster_url = http://x/\n[slapconsole]\nalias =\n  a http://x/1\n  a http://x/2\n', /alias "a" is defined twice/);
});

test('a missing client configuration says where it was looked for', (t) => {
  const dir = tempDir(t);
  assert.throws(() => loadClientConfig(join(dir, 'none.cfg'), {}, where(dir)),
    (e: Error) => codeOf('CLIENT_ERR_CONFIG_NOT_FOUND')(e) && e.message.includes(join(dir, 'none.cfg')) && e.message.includes('--cfg'));
});
