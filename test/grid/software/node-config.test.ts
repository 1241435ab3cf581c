import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigFile } from '../../../src/config/index.ts';
import { GRID_ERR_CONFIG, readNodeConfig, splitCertificateList } from '../../../src/grid/index.ts';

const BASE = '[slapos]\nmaster_url = http://127.0.0.1:5000\ncomputer_id = COMP-1\nsoftware_root = /opt/slapgrid\ninstance_root = /srv/slapgrid\n';
const parse = (text: string) => ConfigFile.parse(text, '/etc/opt/slapos/slapos.cfg');

test('defaults follow the original', () => {
  const config = readNodeConfig(parse(BASE));
  assert.equal(config.supervisordSocket, '/srv/slapgrid/supervisord.socket');
  assert.equal(config.supervisordConfigurationPath, '/srv/slapgrid/etc/supervisord.conf');
  assert.equal(config.maximalDelay, 0);
  assert.equal(config.maximumPeriodicity, 86400);
  assert.equal(config.forcePeriodicity, false);
  assert.equal(config.promiseTimeout, 3);
  assert.equal(config.buildout, undefined);
  assert.deepEqual(config.networkcache.downloadFromBinaryCacheUrlBlacklist, []);
  assert.equal(config.networkcache.signatureCertificateList, undefined);
});

test('[networkcache] wins over [slapos], and the command line over both', () => {
  const config = readNodeConfig(parse(`${BASE}upload-dir-url = http://a\nmaximal_delay = 30\n[networkcache]\nupload-dir-url = http://b\n`
    + 'binary-cache-url-blacklist =\n  http://old\n'), { maximalDelay: 5, softwareRoot: '/other' });
  assert.equal(config.networkcache.uploadDirUrl, 'http://b');
  assert.equal(config.maximalDelay, 5);
  assert.equal(config.softwareRoot, '/other');
  assert.deepEqual(config.networkcache.downloadFromBinaryCacheUrlBlacklist, ['http://old'], 'the deprecated name is used when the new one is empty');
});

test('missing mandatory options are all named', () => {
  assert.throws(() => readNodeConfig(parse('[slapos]\nkey_file = /k\n')), (error: Error & { code?: string }) =>
    error.code === GRID_ERR_CONFIG && /master_url, computer_id, instance_root, software_root, cert_file, certificate_repository_path/.test(error.message));
});

test('bad values are refused with the offending name', () => {
  assert.throws(() => readNodeConfig(parse(BASE.replace('http://127.0.0.1:5000', 'ftp://x'))), /master_url must be an http/);
  assert.throws(() => readNodeConfig(parse(`${BASE}master_ca_file = /nonexistent/ca.crt\n`)), /File "\/nonexistent\/ca.crt" does not exist/);
  assert.throws(() => readNodeConfig(parse(`${BASE}maximal_delay = soon\n`)), { code: 'CONFIG_ERR_VALUE' });
});

test('signature-certificate-list is split on the BEGIN marker', () => {
  const one = '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----';
  const two = '-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----';
  assert.deepEqual(splitCertificateList(`\n${one}\n  \n${two}\n`), [one, two]);
});
