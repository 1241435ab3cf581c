import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineComputer, describePlan, planChangesNothing, planFormat, type Plan } from '../../src/format/plan.ts';
import type { FormatOptions } from '../../src/format/options.ts';
import type { InterfaceState, SystemState } from '../../src/format/system.ts';
import type { StoredComputer } from '../../src/format/computer.ts';
import { parseCidr } from '../../src/format/ip.ts';

// Planning is a pure function of (definition, options, probed state): these
// tests give it machine states directly; the real probe is tested in the
// netns and end-to-end tests.

function options(overrides: Partial<FormatOptions> = {}): FormatOptions {
  return {
    computerId: 'COMP-1', masterUrl: 'http://127.0.0.1:1', instanceRoot: '/srv/slapgrid', softwareRoot: '/opt/slapgrid',
    computerXml: '/opt/slapos/slapos.xml', partitionAmount: 2, partitionBaseName: 'slappart', userBaseName: 'slapuser',
    tapBaseName: 'slaptap', softwareUser: 'slapsoft', interfaceName: 'br0', ipv6Interface: 'br0',
    ipv4LocalNetwork: parseCidr('10.0.0.0/16'), createTap: true, alterUser: true, alterNetwork: true, dryRun: false, now: true,
    ...overrides,
  };
}

function bridge(addresses: InterfaceState['addresses'] = [{ addr: '2001:db8::1', prefixlen: 64, family: 6 }, { addr: 'fe80::1', prefixlen: 64, family: 6 }]): InterfaceState {
  return { name: 'br0', kind: 'bridge', up: true, addresses };
}

function emptyMachine(interfaces: InterfaceState[] = [bridge()]): SystemState {
  return { isRoot: true, interfaces: new Map(interfaces.map((state) => [state.name, state])), users: new Map(), groups: new Set(), paths: new Map(), missingCommands: new Set() };
}

/** The state a machine is in once `plan` has been applied to `before`. */
function applied(before: SystemState, plan: Plan): SystemState {
  const after: SystemState = { ...before, interfaces: new Map([...before.interfaces].map(([name, state]) => [name, { ...state, addresses: [...state.addresses] }])), users: new Map(before.users), groups: new Set(before.groups), paths: new Map(before.paths) };
  let uid = 1000;
  const soft = plan.computer.softwareUser;
  for (const step of plan.stages.flatMap((stage) => stage.steps)) {
    if (step.kind === 'mkdir' || step.kind === 'chmod') after.paths.set(step.path, { uid: 0, gid: 0, isDirectory: true, ...after.paths.get(step.path), mode: step.mode });
    if (step.kind === 'chown') {
      const user = after.users.get(step.user)!;
      after.paths.set(step.path, { ...after.paths.get(step.path)!, uid: user.uid, gid: user.gid });
    }
    if (step.kind === 'address') after.interfaces.get(step.interface)!.addresses.push(step.address);
    if (step.kind === 'run' && step.argv[0] === 'groupadd') after.groups.add(step.argv[1]!);
    if (step.kind === 'run' && step.argv[0] === 'useradd') {
      const name = step.argv.at(-1)!;
      uid += 1;
      after.users.set(name, { name, uid, gid: uid, home: step.argv[2]!, groups: name === soft ? [name] : [name, soft] });
    }
    if (step.kind === 'run' && step.argv[1] === 'tuntap') after.interfaces.set(step.argv[4]!, { name: step.argv[4]!, kind: 'tun', up: false, addresses: [] });
    if (step.kind === 'run' && step.argv[4] === 'up') after.interfaces.set(step.argv[3]!, { ...after.interfaces.get(step.argv[3]!)!, up: true });
    if (step.kind === 'run' && step.argv[4] === 'master') after.interfaces.set(step.argv[3]!, { ...after.interfaces.get(step.argv[3]!)!, master: step.argv[5] });
  }
  return after;
}

test('a new computer gets users, taps, directories and one IPv4 and one IPv6 per partition', () => {
  const plan = planFormat(defineComputer(undefined, options()), options(), emptyMachine());
  assert.equal(plan.computer.address, '2001:db8::1');
  assert.equal(plan.computer.netmask, 'ffff:ffff:ffff:ffff::');
  assert.deepEqual(plan.computer.partitions.map((partition) => [partition.reference, partition.user, partition.tap, partition.path, partition.addressList]), [
    ['slappart0', 'slapuser0', 'slaptap0', '/srv/slapgrid/slappart0', [{ addr: '10.0.0.1', netmask: '255.255.255.255' }, { addr: '2001:db8::2', netmask: 'ffff:ffff:ffff:ffff::' }]],
    ['slappart1', 'slapuser1', 'slaptap1', '/srv/slapgrid/slappart1', [{ addr: '10.0.0.2', netmask: '255.255.255.255' }, { addr: '2001:db8::3', netmask: 'ffff:ffff:ffff:ffff::' }]],
  ]);
  assert.deepEqual(describePlan(plan).split('\n').filter((line) => line.startsWith('  ')), [
    '  mkdir -p -m 755 /srv/slapgrid',
    '  mkdir -p -m 755 /opt/slapgrid',
    '  groupadd slapsoft',
    '  useradd -d /opt/slapgrid -g slapsoft -s /bin/false -r slapsoft',
    '  chown slapsoft:slapsoft /opt/slapgrid',
    '  groupadd slapuser0',
    '  useradd -d /srv/slapgrid/slappart0 -g slapuser0 -s /bin/false -G slapsoft -r slapuser0',
    '  ip tuntap add dev slaptap0 mode tap user slapuser0',
    '  ip link set slaptap0 up',
    '  ip link set slaptap0 master br0',
    '  mkdir -p -m 750 /srv/slapgrid/slappart0',
    '  chown slapuser0:slapuser0 /srv/slapgrid/slappart0',
    '  ip addr add 10.0.0.1/32 dev br0',
    '  ip addr add 2001:db8::2/64 dev br0',
    '  groupadd slapuser1',
    '  useradd -d /srv/slapgrid/slappart1 -g slapuser1 -s /bin/false -G slapsoft -r slapuser1',
    '  ip tuntap add dev slaptap1 mode tap user slapuser1',
    '  ip link set slaptap1 up',
    '  ip link set slaptap1 master br0',
    '  mkdir -p -m 750 /srv/slapgrid/slappart1',
    '  chown slapuser1:slapuser1 /srv/slapgrid/slappart1',
    '  ip addr add 10.0.0.2/32 dev br0',
    '  ip addr add 2001:db8::3/64 dev br0',
  ]);
});

test('planning again on the machine it made changes nothing and keeps every address', () => {
  const first = planFormat(defineComputer(undefined, options()), options(), emptyMachine());
  const stored: StoredComputer = { address: first.computer.address, netmask: first.computer.netmask, softwareUser: 'slapsoft', partitions: first.computer.partitions };
  const second = planFormat(defineComputer(stored, options()), options(), applied(emptyMachine(), first));
  assert.ok(planChangesNothing(second), describePlan(second));
  assert.deepEqual(second.computer, first.computer);
});

test('more partitions are added after the existing ones, which keep their addresses', () => {
  const first = planFormat(defineComputer(undefined, options()), options(), emptyMachine());
  const stored: StoredComputer = { address: first.computer.address, netmask: first.computer.netmask, softwareUser: 'slapsoft', partitions: first.computer.partitions };
  const grown = planFormat(defineComputer(stored, options({ partitionAmount: 3 })), options({ partitionAmount: 3 }), applied(emptyMachine(), first));
  assert.deepEqual(grown.computer.partitions.slice(0, 2), first.computer.partitions);
  assert.deepEqual(grown.computer.partitions[2]!.addressList.map((entry) => entry.addr), ['10.0.0.3', '2001:db8::4']);
  assert.deepEqual(grown.stages.map((stage) => stage.steps.length > 0), [false, false, false, true]);
});

test('fewer partitions than stored is refused', () => {
  const first = planFormat(defineComputer(undefined, options()), options(), emptyMachine());
  const stored: StoredComputer = { address: null, netmask: null, softwareUser: 'slapsoft', partitions: first.computer.partitions };
  assert.throws(() => defineComputer(stored, options({ partitionAmount: 1 })), { code: 'FORMAT_ERR_SHRINK' });
});

test('addresses held by other interfaces or by the host are skipped; /32 leftovers of an interrupted run are reused', () => {
  const machine = emptyMachine([
    bridge([{ addr: '2001:db8::1', prefixlen: 64, family: 6 }, { addr: '10.0.0.1', prefixlen: 16, family: 4 }, { addr: '10.0.0.3', prefixlen: 32, family: 4 }, { addr: '2001:db8::2', prefixlen: 64, family: 6 }]),
    { name: 'eth0', up: true, addresses: [{ addr: '10.0.0.2', prefixlen: 32, family: 4 }] },
  ]);
  const plan = planFormat(defineComputer(undefined, options({ partitionAmount: 1 })), options({ partitionAmount: 1 }), machine);
  assert.deepEqual(plan.computer.partitions[0]!.addressList.map((entry) => entry.addr), ['10.0.0.3', '2001:db8::2']);
  assert.ok(!plan.stages[1]!.steps.some((step) => step.kind === 'address'), 'leftover addresses are already there');
});

test('a stored address now used elsewhere is replaced; one that vanished is added back', () => {
  const stored: StoredComputer = { address: '2001:db8::1', netmask: 'ffff:ffff:ffff:ffff::', softwareUser: 'slapsoft', partitions: [
    { reference: 'slappart0', path: '/x', user: 'slapuser0', tap: 'slaptap0', addressList: [{ addr: '10.0.0.7', netmask: '255.255.255.255' }, { addr: '2001:db8::9', netmask: 'ffff:ffff:ffff:ffff::' }] },
  ] };
  const machine = emptyMachine([bridge(), { name: 'eth0', up: true, addresses: [{ addr: '10.0.0.7', prefixlen: 24, family: 4 }] }]);
  const plan = planFormat(defineComputer(stored, options({ partitionAmount: 1 })), options({ partitionAmount: 1 }), machine);
  assert.deepEqual(plan.computer.partitions[0]!.addressList.map((entry) => entry.addr), ['10.0.0.1', '2001:db8::9']);
  assert.deepEqual(plan.stages[1]!.steps.filter((step) => step.kind === 'address').map((step) => step.kind === 'address' && step.address.addr), ['10.0.0.1', '2001:db8::9']);
});

test('without a global IPv6 the network cannot be formatted', () => {
  assert.throws(() => planFormat(defineComputer(undefined, options()), options(), emptyMachine([bridge([{ addr: 'fe80::1', prefixlen: 64, family: 6 }])])), { code: 'FORMAT_ERR_NO_IPV6' });
});

test('a missing interface is named', () => {
  assert.throws(() => planFormat(defineComputer(undefined, options()), options(), emptyMachine([])), { code: 'FORMAT_ERR_INTERFACE', message: /interface_name.*"br0"/ });
});

test('non-root mode plans only directories, with addresses from ipv4_local_network that no interface has', () => {
  const nonRoot = options({ alterUser: false, alterNetwork: false, interfaceName: undefined, ipv6Interface: undefined, ipv4LocalNetwork: parseCidr('127.0.0.0/16') });
  const machine = emptyMachine([{ name: 'lo', up: true, addresses: [{ addr: '127.0.0.1', prefixlen: 8, family: 4 }, { addr: '::1', prefixlen: 128, family: 6 }] }]);
  const plan = planFormat(defineComputer(undefined, nonRoot), nonRoot, machine);
  assert.equal(plan.computer.address, null);
  assert.deepEqual(plan.computer.partitions.map((partition) => partition.addressList), [[{ addr: '127.0.0.2', netmask: '255.255.255.255' }], [{ addr: '127.0.0.3', netmask: '255.255.255.255' }]]);
  assert.deepEqual([...new Set(plan.stages.flatMap((stage) => stage.steps.map((step) => step.kind)))], ['mkdir']);
});

test('non-root mode on an interface without a global IPv6: partitions share the address it has', () => {
  const nonRoot = options({ alterUser: false, alterNetwork: false, interfaceName: 'lo', ipv6Interface: 'lo', ipv4LocalNetwork: parseCidr('127.0.0.0/16') });
  const machine = emptyMachine([{ name: 'lo', up: true, addresses: [{ addr: '127.0.0.1', prefixlen: 8, family: 4 }, { addr: '::1', prefixlen: 128, family: 6 }] }]);
  const plan = planFormat(defineComputer(undefined, nonRoot), nonRoot, machine);
  assert.equal(plan.computer.address, '::1');
  assert.deepEqual(plan.computer.partitions.map((partition) => partition.addressList.map((entry) => entry.addr)), [['127.0.0.2', '::1'], ['127.0.0.3', '::1']]);
  assert.deepEqual([...new Set(plan.stages.flatMap((stage) => stage.steps.map((step) => step.kind)))], ['mkdir']);
});

test('a tap another user owns is left as it is, with a warning', () => {
  const machine = emptyMachine([bridge(), { name: 'slaptap0', kind: 'tun', up: true, master: 'br0', tapUser: 'someone', addresses: [] }]);
  const plan = planFormat(defineComputer(undefined, options({ partitionAmount: 1 })), options({ partitionAmount: 1 }), machine);
  assert.deepEqual(plan.warnings, ['tap slaptap0 belongs to someone, not slapuser0; left as it is']);
  assert.ok(!plan.stages[1]!.steps.some((step) => step.kind === 'run' && step.argv.includes('slaptap0')));
});

test('a command the plan needs but the machine lacks stops the run before any change', () => {
  const machine = { ...emptyMachine(), missingCommands: new Set(['useradd']) };
  assert.throws(() => planFormat(defineComputer(undefined, options()), options(), machine), { code: 'FORMAT_ERR_COMMAND', message: /useradd/ });
  const nonRoot = options({ alterUser: false, alterNetwork: false });
  assert.doesNotThrow(() => planFormat(defineComputer(undefined, nonRoot), nonRoot, machine));
});
