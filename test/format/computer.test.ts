import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marshal, unmarshal } from '../../src/slap/index.ts';
import { fromComputerDict, toComputerDict, type ComputerDefinition } from '../../src/format/computer.ts';

const computer: ComputerDefinition = {
  reference: 'COMP-1', address: '2001:db8::1', netmask: 'ffff:ffff:ffff:ffff::', softwareUser: 'slapsoft',
  instanceRoot: '/srv/slapgrid', softwareRoot: '/opt/slapgrid', ipv6Interface: null,
  interface: { name: 'br0', ipv4LocalNetwork: '10.0.0.0/16', ipv6Interface: null },
  partitions: [{ reference: 'slappart0', path: '/srv/slapgrid/slappart0', user: 'slapuser0', tap: 'slaptap0', addressList: [{ addr: '10.0.0.1', netmask: '255.255.255.255' }] }],
};

test('the computer file reads back what was written, through xml_marshaller', () => {
  const stored = fromComputerDict(unmarshal(marshal(toComputerDict(computer))), 'slapos.xml');
  assert.deepEqual(stored, { address: '2001:db8::1', netmask: 'ffff:ffff:ffff:ffff::', softwareUser: 'slapsoft', partitions: computer.partitions });
});

test('the computer dict has the shape of the original (what the master reads)', () => {
  const dict = toComputerDict(computer);
  assert.deepEqual(Object.keys(dict).sort(), ['address', 'instance_root', 'interface', 'ipv6_interface', 'netmask', 'partition_list', 'reference', 'software_root', 'software_user']);
  assert.deepEqual((dict.partition_list as unknown[])[0], {
    reference: 'slappart0', path: '/srv/slapgrid/slappart0',
    user: { name: 'slapuser0', path: '/srv/slapgrid/slappart0', additional_group_list: ['slapsoft'] },
    tap: { name: 'slaptap0' },
    address_list: [{ addr: '10.0.0.1', netmask: '255.255.255.255' }],
  });
});

test('a partition without user or tap, as old files have, gets root and a tap named after it', () => {
  const stored = fromComputerDict({ address: null, netmask: null, partition_list: [{ reference: 'p0', path: '/x/p0', user: null, tap: null, address_list: [] }] }, 'old.xml');
  assert.deepEqual(stored.partitions[0], { reference: 'p0', path: '/x/p0', user: 'root', tap: 'p0', addressList: [] });
  assert.equal(stored.softwareUser, 'slapsoft');
});

test('a malformed computer file is refused with the file and the entry named', () => {
  assert.throws(() => fromComputerDict('nope', 'a.xml'), { code: 'FORMAT_ERR_DEFINITION', message: /a\.xml/ });
  assert.throws(() => fromComputerDict({ partition_list: [{ path: '/x' }] }, 'b.xml'), { code: 'FORMAT_ERR_DEFINITION', message: /partition_list\[0\] has no reference/ });
  assert.throws(() => fromComputerDict({ partition_list: [{ reference: 'p', path: '/x', address_list: [{ addr: 1 }] }] }, 'c.xml'), { code: 'FORMAT_ERR_DEFINITION', message: /address_list\[0\]/ });
});
