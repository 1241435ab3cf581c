import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFile } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { proxySnapshot, SqliteStore, type ProxySnapshot } from '../../src/proxy/index.ts';
import { formatComputer, LinuxSystem, planChangesNothing, readFormatOptions, type FormatOverrides, type System } from '../../src/format/index.ts';
import { runSlapos } from '../helpers/cli.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';
import { slaposSection } from './slapos-section.ts';

// Non-root mode end to end: a node under a temporary directory, a real proxy
// on loopback, the real LinuxSystem (which then only makes directories).

let proxy: TestProxy;
before(async () => { proxy = await startTestProxy(); });
after(async () => { await proxy.close(); });

async function nodeDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-format-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function writeConfig(dir: string, partitionAmount: number, extra = '', name = 'slapos.cfg'): string {
  const path = join(dir, name);
  writeFileSync(path, `${slaposSection(proxy.url, dir)}
[slapformat]
interface_name = lo
alter_user = false
alter_network = false
partition_amount = ${partitionAmount}
computer_xml = ${dir}/slapos.xml
computer_json = ${dir}/slapos.json
${extra.includes('ipv4_local_network') ? '' : 'ipv4_local_network = 127.0.0.0/16\n'}${extra}`);
  return path;
}

async function format(configPath: string, overrides: FormatOverrides = {}, system?: System) {
  const logger = silentLogger();
  const options = readFormatOptions(ConfigFile.load(configPath), { now: true, ...overrides }, logger);
  return formatComputer(options, { logger, system: system ?? new LinuxSystem({ logger }) });
}

/** The real system with some of its methods replaced (a fault to inject, a fact to hide). */
function changed(real: System, replaced: Partial<System>): System {
  return {
    probe: (request) => real.probe(request),
    mkdir: (path, mode) => real.mkdir(path, mode),
    chmod: (path, mode) => real.chmod(path, mode),
    chown: (path, user) => real.chown(path, user),
    run: (argv) => real.run(argv),
    addAddress: (name, address) => real.addAddress(name, address),
    ...replaced,
  };
}

async function snapshot(): Promise<ProxySnapshot> {
  const store = new SqliteStore({ databasePath: proxy.databasePath, logger: silentLogger() });
  try {
    return await proxySnapshot(store);
  } finally {
    await store.close();
  }
}

test('slapos node format registers the computer and its partitions with the proxy', async (t) => {
  const dir = await nodeDir(t);
  const config = writeConfig(dir, 3);
  const result = await runSlapos(['node', 'format', '--cfg', config, '--now']);
  assert.equal(result.code, 0, result.stderr);
  for (const n of [0, 1, 2]) {
    const info = statSync(join(dir, 'srv/slapgrid', `slappart${n}`));
    assert.ok(info.isDirectory());
    assert.equal(info.mode & 0o777, 0o750);
  }
  assert.equal(statSync(join(dir, 'opt/slapgrid')).mode & 0o777, 0o755);
  const view = await snapshot();
  const partitions = view.partitions.filter((partition) => partition.computer === 'computer');
  assert.deepEqual(partitions.map((partition) => partition.reference).sort(), ['slappart0', 'slappart1', 'slappart2']);
  assert.deepEqual(partitions.find((partition) => partition.reference === 'slappart1')!.addresses.sort(), ['slaptap1 127.0.0.3', 'slaptap1 ::1']);
  const stored = JSON.parse(readFileSync(join(dir, 'slapos.json'), 'utf8')) as { reference: string; partition_list: { reference: string; address_list: { addr: string }[] }[] };
  assert.equal(stored.reference, 'computer');
  assert.deepEqual(stored.partition_list.map((partition) => partition.address_list.map((entry) => entry.addr)), [['127.0.0.2', '::1'], ['127.0.0.3', '::1'], ['127.0.0.4', '::1']]);
  assert.match(readFileSync(join(dir, 'slapos.xml'), 'utf8'), /<marshal>/);
});

test('a second run changes nothing; a larger partition_amount only adds partitions', async (t) => {
  const dir = await nodeDir(t);
  const config = writeConfig(dir, 2);
  const first = await format(config);
  const xml = readFileSync(join(dir, 'slapos.xml'), 'utf8');

  const again = await format(config);
  assert.ok(planChangesNothing(again.plan));
  assert.deepEqual(again.plan.computer, first.plan.computer);
  assert.equal(readFileSync(join(dir, 'slapos.xml'), 'utf8'), xml);

  const grown = await format(writeConfig(dir, 4));
  assert.deepEqual(grown.plan.computer.partitions.slice(0, 2), first.plan.computer.partitions);
  assert.deepEqual(grown.plan.stages.map((stage) => stage.steps.length > 0), [false, false, false, true, true]);
  assert.ok(existsSync(join(dir, 'srv/slapgrid/slappart3')));
  // 0.32 keeps partitions of a computer that are missing from a shrunk list, so shrinking is refused locally
  await assert.rejects(format(writeConfig(dir, 1)), { code: 'FORMAT_ERR_SHRINK' });
});

test('--dry-run prints the plan and changes nothing', async (t) => {
  const dir = await nodeDir(t);
  const config = writeConfig(dir, 2);
  const before = (await snapshot()).partitions.length;
  const result = await runSlapos(['node', 'format', '--cfg', config, '--now', '--dry-run']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`mkdir -p -m 750 ${dir}/srv/slapgrid/slappart1`));
  assert.match(result.stdout, /slappart1 \[127\.0\.0\.3, ::1\]/);
  assert.ok(!existsSync(join(dir, 'srv')));
  assert.ok(!existsSync(join(dir, 'slapos.xml')));
  assert.equal((await snapshot()).partitions.length, before);
});

test('a run that fails in the middle is completed by the next one', async (t) => {
  const dir = await nodeDir(t);
  const config = writeConfig(dir, 3, 'partition_base_name = part\n');
  const real = new LinuxSystem({ logger: silentLogger() });
  // the real system, failing when it reaches the third partition's directory
  const failing = changed(real, {
    mkdir: async (path, mode) => {
      if (path.endsWith('part2')) throw new Error('disk full');
      await real.mkdir(path, mode);
    },
  });
  await assert.rejects(format(config, {}, failing), /disk full/);
  const interrupted = JSON.parse(readFileSync(join(dir, 'slapos.json'), 'utf8')) as { partition_list: { reference: string }[] };
  assert.deepEqual(interrupted.partition_list.map((partition) => partition.reference), ['part0', 'part1']);

  const resumed = await format(config);
  assert.deepEqual(resumed.plan.stages.map((stage) => stage.steps.length > 0), [false, false, false, true]);
  assert.deepEqual(resumed.plan.computer.partitions.map((partition) => partition.addressList[0]!.addr), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  assert.ok(planChangesNothing((await format(config)).plan));
});

test('a definition file gives the partitions and their addresses', async (t) => {
  const dir = await nodeDir(t);
  const definition = join(dir, 'definition.cfg');
  writeFileSync(definition, `[computer]
address = 127.0.0.1/255.255.255.255

[partition_0]
address = 127.0.1.1/255.255.255.255 ::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
user = me
network_interface = lo
pathname = zero

[partition_1]
address = 127.0.1.1/255.255.255.255
user = me
network_interface = lo
pathname = one
`);
  const output = join(dir, 'out.cfg');
  const result = await format(writeConfig(dir, 2), { inputDefinitionFile: definition, outputDefinitionFile: output });
  assert.equal(result.plan.computer.address, '127.0.0.1');
  assert.deepEqual(result.plan.computer.partitions.map((partition) => [partition.reference, partition.addressList.map((entry) => entry.addr)]), [['zero', ['127.0.1.1', '::1']], ['one', ['127.0.1.1']]]);
  assert.ok(existsSync(join(dir, 'srv/slapgrid/one')));
  assert.match(readFileSync(output, 'utf8'), /\[partition_0\]\naddress = 127\.0\.1\.1\/255\.255\.255\.255 ::1\/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\nuser = me\nnetwork_interface = lo\npathname = zero\n/);
});

test('bad input: one clear line, exit status 1, nothing changed', async (t) => {
  const dir = await nodeDir(t);
  const cases: [string, RegExp][] = [
    [writeConfig(dir, 0, '', 'zero.cfg'), /partition_amount/],
    [writeConfig(dir, 2, 'ipv6_interface = slt-nonexistent\n', 'interface.cfg'), /ipv6_interface.*does not exist/],
    [writeConfig(dir, 2, 'ipv4_local_network = 10.0.0.0/40\n', 'cidr.cfg'), /ipv4_local_network/],
    [writeConfig(dir, 2, 'user_base_name = ../x\n', 'user.cfg'), /user_base_name/],
  ];
  for (const [config, message] of cases) {
    const result = await runSlapos(['node', 'format', '--cfg', config, '--now']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').filter((line) => line.startsWith('slapos:')).length, 1, result.stderr);
    assert.ok(!existsSync(join(dir, 'srv')) && !existsSync(join(dir, 'slapos.xml')));
  }
  writeFileSync(join(dir, 'no-section.cfg'), '[slapos]\nmaster_url = http://127.0.0.1:1\n');
  const missing = await runSlapos(['node', 'format', '--cfg', join(dir, 'no-section.cfg'), '--now']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no \[slapformat\] section/);
});

test('a master that cannot be reached: the machine is formatted, exit status 2', async (t) => {
  const dir = await nodeDir(t);
  // port 1 on loopback: nothing listens there, the connection is refused at once
  const config = writeConfig(dir, 1);
  writeFileSync(join(dir, 'offline.cfg'), readFileSync(config, 'utf8').replace(proxy.url, 'http://127.0.0.1:1'));
  const result = await runSlapos(['node', 'format', '--cfg', join(dir, 'offline.cfg'), '--now']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /formatted but the master at http:\/\/127\.0\.0\.1:1 could not be told/);
  assert.ok(existsSync(join(dir, 'srv/slapgrid/slappart0')));
  assert.ok(existsSync(join(dir, 'slapos.xml')));
});

test('altering users or network needs root; nothing is changed without it', async (t) => {
  const dir = await nodeDir(t);
  const real = new LinuxSystem({ logger: silentLogger() });
  // the real probe, reporting an ordinary user (the test itself may run as root)
  const ordinary = changed(real, { probe: async (request) => ({ ...(await real.probe(request)), isRoot: false }) });
  // a user base name no account on this machine has, so the plan must create it
  const config = writeConfig(dir, 1, `user_base_name = sltnone${process.pid}u\n`);
  await assert.rejects(format(config, { alterUser: true }, ordinary), { code: 'FORMAT_ERR_NOT_ROOT', message: /alter_user/ });
  assert.ok(!existsSync(join(dir, 'srv')));
  assert.ok((await format(config, { alterUser: true, dryRun: true }, ordinary)).plan.stages[1]!.steps.some((step) => step.kind === 'run' && step.argv[0] === 'useradd'));
});
