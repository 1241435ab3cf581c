import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFile } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { proxySnapshot, SqliteStore } from '../../src/proxy/index.ts';
import { formatComputer, LinuxSystem, planChangesNothing, readFormatOptions } from '../../src/format/index.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';
import { slaposSection } from './slapos-section.ts';

// Root mode for real, inside a network namespace this test makes: a bridge
// (kept up by a veth pair) with a global IPv6 address. Users and groups get a
// test-only prefix and are removed afterwards. Without root, skipped.

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root: creates a network namespace, interfaces, users and groups';
if (skip) process.stdout.write(`# skipping root-mode slapformat tests: ${skip}\n`);

const tag = `slt${process.pid % 10000}`;
const netns = `${tag}-format`;
const softwareUser = `${tag}s`;
const userBase = `${tag}u`;
const tapBase = `${tag}t`;
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

let proxy: TestProxy;
let dir: string;

function ip(...args: string[]): string {
  return execFileSync('ip', ['-n', netns, ...args], { env: ENV, encoding: 'utf8' });
}

function links(namespace?: string): { ifname: string; master?: string; flags: string[]; linkinfo?: { info_data?: { user?: string } }; addr_info: { local: string; prefixlen: number }[] }[] {
  const args = [...(namespace ? ['-n', namespace] : []), '-d', '-j', 'addr', 'show'];
  return JSON.parse(execFileSync('ip', args, { env: ENV, encoding: 'utf8' })) as ReturnType<typeof links>;
}

function config(partitionAmount: number): string {
  const path = join(dir, 'slapos.cfg');
  writeFileSync(path, `${slaposSection(proxy.url, dir)}
[slapformat]
interface_name = br0
ipv4_local_network = 10.77.0.0/16
partition_amount = ${partitionAmount}
partition_base_name = slappart
user_base_name = ${userBase}
tap_base_name = ${tapBase}
software_user = ${softwareUser}
create_tap = true
computer_xml = ${dir}/slapos.xml
`);
  return path;
}

async function format(partitionAmount: number) {
  const logger = silentLogger();
  const options = readFormatOptions(ConfigFile.load(config(partitionAmount)), { now: true }, logger);
  return formatComputer(options, { logger, system: new LinuxSystem({ logger, netns }) });
}

function passwd(name: string): { uid: number; gid: number; home: string } | undefined {
  const result = spawnSync('getent', ['passwd', name], { env: ENV, encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const [, , uid, gid, , home] = result.stdout.trim().split(':');
  return { uid: Number(uid), gid: Number(gid), home: home! };
}

before(async () => {
  if (skip) return;
  proxy = await startTestProxy();
  dir = await mkdtemp(join(tmpdir(), 'slapos-format-root-'));
  execFileSync('ip', ['netns', 'add', netns], { env: ENV });
  ip('link', 'add', 'br0', 'type', 'bridge');
  ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ip('link', 'set', 'v0', 'master', 'br0');
  for (const name of ['lo', 'br0', 'v0', 'v1']) ip('link', 'set', name, 'up');
  // no duplicate address detection on the test bridge: nobody else is on it
  execFileSync('ip', ['netns', 'exec', netns, 'sysctl', '-q', '-w', 'net.ipv6.conf.br0.accept_dad=0'], { env: ENV });
  ip('addr', 'add', 'fd00:5174::1/64', 'dev', 'br0');
});

after(async () => {
  if (skip) return;
  spawnSync('ip', ['netns', 'del', netns], { env: ENV });
  for (const name of [0, 1, 2].map((n) => `${userBase}${n}`).concat(softwareUser)) {
    spawnSync('userdel', [name], { env: ENV });
    spawnSync('groupdel', [name], { env: ENV });
  }
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

test('root mode: users, taps and addresses appear in the namespace only', { skip }, async () => {
  const result = await format(2);
  assert.equal(result.plan.computer.address, 'fd00:5174::1');

  const inside = new Map(links(netns).map((link) => [link.ifname, link]));
  const bridgeAddresses = inside.get('br0')!.addr_info.map((entry) => `${entry.local}/${entry.prefixlen}`);
  for (const address of ['10.77.0.1/32', '10.77.0.2/32', 'fd00:5174::2/64', 'fd00:5174::3/64']) assert.ok(bridgeAddresses.includes(address), `${address} in ${bridgeAddresses.join(' ')}`);
  for (const n of [0, 1]) {
    const tap = inside.get(`${tapBase}${n}`);
    assert.ok(tap, `tap ${tapBase}${n} exists in the namespace`);
    assert.equal(tap.master, 'br0');
    assert.ok(tap.flags.includes('UP'));
    assert.equal(tap.linkinfo?.info_data?.user, `${userBase}${n}`);
  }
  const outside = links();
  assert.ok(!outside.some((link) => link.ifname.startsWith(tag)), 'no tap in the host namespace');
  assert.ok(!outside.some((link) => link.addr_info.some((entry) => entry.local.startsWith('10.77.') || entry.local.startsWith('fd00:5174:'))), 'no address in the host namespace');

  const soft = passwd(softwareUser)!;
  assert.equal(soft.home, `${dir}/opt/slapgrid`);
  assert.equal(statSync(`${dir}/opt/slapgrid`).uid, soft.uid);
  for (const n of [0, 1]) {
    const user = passwd(`${userBase}${n}`)!;
    assert.equal(user.home, `${dir}/srv/slapgrid/slappart${n}`);
    const info = statSync(user.home);
    assert.deepEqual([info.uid, info.gid, info.mode & 0o777], [user.uid, user.gid, 0o750]);
    assert.match(execFileSync('id', ['-nG', `${userBase}${n}`], { env: ENV, encoding: 'utf8' }), new RegExp(`\\b${softwareUser}\\b`));
  }

  const store = new SqliteStore({ databasePath: proxy.databasePath, logger: silentLogger() });
  const view = await proxySnapshot(store);
  await store.close();
  assert.deepEqual(view.partitions.find((partition) => partition.reference === 'slappart1')!.addresses.sort(), [`${tapBase}1 10.77.0.2`, `${tapBase}1 fd00:5174::3`]);
});

test('root mode: a second run changes nothing, a larger partition_amount adds one partition', { skip }, async () => {
  const xml = readFileSync(join(dir, 'slapos.xml'), 'utf8');
  const again = await format(2);
  assert.ok(planChangesNothing(again.plan), JSON.stringify(again.plan.stages));
  assert.equal(readFileSync(join(dir, 'slapos.xml'), 'utf8'), xml);
  const addressCount = links(netns).find((link) => link.ifname === 'br0')!.addr_info.length;

  const grown = await format(3);
  assert.deepEqual(grown.plan.stages.map((stage) => stage.steps.length > 0), [false, false, false, true]);
  assert.deepEqual(grown.plan.computer.partitions[2]!.addressList.map((entry) => entry.addr), ['10.77.0.3', 'fd00:5174::4']);
  assert.equal(links(netns).find((link) => link.ifname === 'br0')!.addr_info.length, addressCount + 2);
  assert.ok(passwd(`${userBase}2`));
});

test('root mode: an IPv6 address is kept only once duplicate address detection passes', { skip }, async () => {
  // v1 is the far end of the bridge's veth: the bridge answers for its own addresses
  const system = new LinuxSystem({ logger: silentLogger(), netns });
  await system.addAddress('v1', { addr: 'fd00:5174::77', prefixlen: 64, family: 6 });
  const onV1 = (): { local: string; tentative?: boolean }[] => links(netns).find((link) => link.ifname === 'v1')!.addr_info;
  assert.ok(onV1().some((entry) => entry.local === 'fd00:5174::77' && !entry.tentative));
  await assert.rejects(system.addAddress('v1', { addr: 'fd00:5174::1', prefixlen: 64, family: 6 }), { code: 'FORMAT_ERR_ADDRESS', message: /duplicate address detection failed/ });
  assert.ok(!onV1().some((entry) => entry.local === 'fd00:5174::1'), 'the duplicate is removed');
});
