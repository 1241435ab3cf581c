import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Slap } from '../../src/slap/index.ts';
import { ConfigFile } from '../../src/config/index.ts';
import { hasCode } from '../../src/errors/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createProxy, proxySettings } from '../../src/proxy/index.ts';

function settingsOf(text: string, overrides = {}) {
  return proxySettings(ConfigFile.parse(text, '/etc/slapos.cfg'), overrides, '/srv');
}

test('options come from the command line, then [slapproxy], then [slapos]', () => {
  const text = '[slapos]\ncomputer_id = COMP\nport = 1111\nhost = 10.0.0.1\n\n[slapproxy]\nport = 2222\ndatabase_uri = proxy.db\nsoftware_product_list =\n  kvm https://lab.example/kvm.cfg\n  erp5 https://lab.example/erp5.cfg\n';
  const settings = settingsOf(text);
  assert.equal(settings.port, 2222);
  assert.equal(settings.host, '10.0.0.1');
  assert.equal(settings.computerId, 'COMP');
  assert.equal(settings.databasePath, '/srv/proxy.db');
  assert.deepEqual([...settings.softwareProducts], [['kvm', 'https://lab.example/kvm.cfg'], ['erp5', 'https://lab.example/erp5.cfg']]);
  const overridden = settingsOf(text, { port: '3333', host: '::1', databaseUri: '/var/db' });
  assert.deepEqual([overridden.port, overridden.host, overridden.databasePath], [3333, '::1', '/var/db']);
  const defaults = settingsOf('[slapos]\ncomputer_id = COMP\n[slapproxy]\ndatabase_uri = /db\n');
  assert.deepEqual([defaults.host, defaults.port, defaults.logFile], ['127.0.0.1', 8080, null]);
});

test('bad settings fail with PROXY_ERR_CONFIG naming the option', () => {
  for (const [text, pattern] of [
    ['[slapos]\ncomputer_id = C\n', /database_uri is required/],
    ['[slapproxy]\ndatabase_uri = /db\n', /computer_id is required/],
    ['[slapos]\ncomputer_id = C\n[slapproxy]\ndatabase_uri = /db\nport = http\n', /port must be a number/],
    ['[slapos]\ncomputer_id = C\n[slapproxy]\ndatabase_uri = /db\nsoftware_product_list = kvm\n', /software_product_list line "kvm"/],
  ] as const) {
    assert.throws(() => settingsOf(text), (error: unknown) => hasCode(error, 'PROXY_ERR_CONFIG') && pattern.test((error as Error).message), text);
  }
});

test('bad createProxy options fail before anything opens', async () => {
  await assert.rejects(createProxy({ databasePath: '', logger: silentLogger() }), (error: unknown) => hasCode(error, 'PROXY_ERR_CONFIG'));
  await assert.rejects(createProxy({ databasePath: '/tmp/x.db', logger: silentLogger(), bodyLimit: -1 }), /bodyLimit/);
});

test('configured software products are served to the library', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-proxy-config-'));
  const server = await createProxy({ databasePath: join(dir, 'p.db'), logger: silentLogger(), softwareProducts: new Map([['kvm', 'https://lab.example/kvm.cfg']]) });
  const slap = new Slap({ logger: silentLogger() });
  t.after(async () => { await slap.close(); await server.close(); await rm(dir, { recursive: true, force: true }); });
  slap.initializeConnection(await server.listen('127.0.0.1', 0));
  assert.deepEqual(await slap.getSoftwareReleaseListFromSoftwareProduct({ softwareProductReference: 'kvm' }), ['https://lab.example/kvm.cfg']);
  assert.deepEqual(await slap.getSoftwareReleaseListFromSoftwareProduct({ softwareProductReference: 'other' }), []);
});
