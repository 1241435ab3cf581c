import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFile } from '../../src/config/index.ts';
import { configureLocalNode, linkClientConfig, localNodeLayout, type LocalNodeOptions } from '../../src/client/index.ts';
import { readNodeConfig } from '../../src/grid/index.ts';
import { proxySettings } from '../../src/proxy/index.ts';
import { tempDir } from './helpers.ts';

const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;
const options = (baseDirectory: string): LocalNodeOptions => ({
  baseDirectory, asRoot: false, interfaceName: 'lo', partitionNumber: 3, ipv4LocalNetwork: '10.0.0.0/16',
  daemonListenIp: '127.0.0.1', daemonListenPort: 18080,
});

test('with base "/", the layout is the original\'s system one', () => {
  const layout = localNodeLayout({ ...options('/'), daemonListenPort: 8080 });
  assert.equal(layout.configPath, '/etc/opt/slapos/slapos.cfg');
  assert.equal(layout.instanceRoot, '/srv/slapgrid');
  assert.equal(layout.softwareRoot, '/opt/slapgrid');
  assert.equal(layout.computerXml, '/opt/slapos/slapos.xml');
  assert.equal(layout.masterUrl, 'http://127.0.0.1:8080');
});

test('configure local writes a slapos.cfg the proxy and slapgrid both read, and the directories', (t) => {
  const base = join(tempDir(t), 'node %base');
  const layout = configureLocalNode(options(base));
  for (const dir of [layout.instanceRoot, layout.softwareRoot, layout.logDirectory, layout.runDirectory]) assert.ok(statSync(dir).isDirectory(), dir);
  const file = ConfigFile.load(layout.configPath);
  assert.deepEqual(file.sections(), ['slapos', 'slapformat', 'slapproxy', 'networkcache']);
  assert.deepEqual(file.options('networkcache'), []);
  assert.equal(file.getBool('slapformat', 'alter_user'), false);
  assert.equal(file.getBool('slapformat', 'alter_network'), false);
  assert.equal(file.getInt('slapformat', 'partition_amount'), 3);
  const node = readNodeConfig(file);
  assert.equal(node.masterUrl, 'http://127.0.0.1:18080');
  assert.equal(node.computerId, 'local_computer');
  assert.equal(node.instanceRoot, join(base, 'srv/slapgrid'), 'a "%" in a path survives the file format');
  const proxy = proxySettings(file);
  assert.deepEqual([proxy.host, proxy.port, proxy.computerId, proxy.databasePath], ['127.0.0.1', 18080, 'local_computer', layout.databasePath]);
});

test('configure local never overwrites an existing configuration', (t) => {
  const base = tempDir(t);
  const layout = configureLocalNode(options(base));
  writeFileSync(layout.configPath, '# mine\n');
  assert.throws(() => configureLocalNode(options(base)), (e: Error) => codeOf('CLIENT_ERR_ALREADY_CONFIGURED')(e) && e.message.includes(layout.configPath));
});

test('configure local refuses options that would give a broken node, naming the option', (t) => {
  const base = tempDir(t);
  const refuse = (change: Partial<LocalNodeOptions>, option: string) =>
    assert.throws(() => configureLocalNode({ ...options(base), ...change }), (e: Error) => codeOf('CLIENT_ERR_INVALID_OPTION')(e) && e.message.startsWith(option));
  refuse({ partitionNumber: 0 }, '--partition-number');
  refuse({ ipv4LocalNetwork: '10.0.0.0' }, '--ipv4-local-network');
  refuse({ ipv4LocalNetwork: '300.0.0.0/8' }, '--ipv4-local-network');
  refuse({ daemonListenIp: 'localhost' }, '--daemon-listen-ip');
  refuse({ daemonListenPort: 70000 }, '--daemon-listen-port');
  refuse({ interfaceName: 'eth0; rm -rf /' }, '--interface-name');
});

test('the default client configuration is linked to the node\'s, unless one exists', (t) => {
  const home = tempDir(t);
  const link = linkClientConfig(home, '/etc/opt/slapos/slapos.cfg');
  assert.equal(link, join(home, '.slapos/slapos-client.cfg'));
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readlinkSync(link), '/etc/opt/slapos/slapos.cfg');
  assert.equal(linkClientConfig(home, '/other/slapos.cfg'), undefined);
  assert.equal(readlinkSync(link), '/etc/opt/slapos/slapos.cfg');
});
