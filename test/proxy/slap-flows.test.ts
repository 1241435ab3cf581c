import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Slap, PyTuple, marshal, type MarshalDict } from '../../src/slap/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';
import { writeSchemaV1Database } from './fixtures.ts';
import { rejectsWith } from '../helpers/assert.ts';

/**
 * The proxy driven by our SLAP library over real HTTP: the node's view
 * (Computer, registered partitions) and the user's view (OpenOrder,
 * Supply) of every flow. Each describe() gets a fresh proxy.
 */
const SR = 'https://lab.example/software.cfg';
const FRONTEND_SR = 'https://lab.example/frontend.cfg';

function computerXml(reference: string, partitions: number, network = 10): string {
  return marshal({
    reference,
    address: `10.${network}.0.1`,
    netmask: '255.255.255.0',
    partition_list: Array.from({ length: partitions }, (_, i) => ({
      reference: `slappart${i}`,
      tap: { name: `slaptap${i}` },
      address_list: [{ addr: `10.${network}.0.${10 + i}`, netmask: '255.255.255.0' }],
      path: `/srv/slapgrid/slappart${i}`,
      user: { name: `slapuser${i}`, additional_group_list: [] },
    })),
  });
}

function partitionOf(slap: Slap, computerId: string, partitionId: string) {
  return slap.registerComputerPartition(computerId, partitionId);
}

/** The flows run on a new database, and again on an empty one written by schema version 1 and migrated. */
const DATABASES: { label: string; prepare?: (databasePath: string) => Promise<void> }[] = [
  { label: 'new database' },
  { label: 'database migrated from schema v1', prepare: (path) => writeSchemaV1Database(path) },
];

for (const { label, prepare } of DATABASES) {
  describe(label, () => flows(prepare));
}

function flows(prepare?: (databasePath: string) => Promise<void>): void {
  async function withProxy(computers: Record<string, number>): Promise<{ proxy: TestProxy; slap: Slap }> {
    const proxy = await startTestProxy({ computerId: Object.keys(computers)[0], prepareDatabase: prepare });
    const slap = new Slap({ logger: silentLogger() });
    slap.initializeConnection(proxy.url);
    let network = 10;
    for (const [id, count] of Object.entries(computers)) {
      assert.equal(await slap.registerComputer(id).updateConfiguration(computerXml(id, count, network++)), 'done');
    }
    return { proxy, slap };
  }

  describe('a single computer: supply, request, deploy, publish', () => {
    let proxy: TestProxy;
    let slap: Slap;
    before(async () => ({ proxy, slap } = await withProxy({ COMP: 3 })));
    after(async () => { await slap.close(); await proxy.close(); });

    test('the node sees an empty computer before anything is supplied', async () => {
      const computer = slap.registerComputer('COMP');
      assert.deepEqual(await computer.getSoftwareReleaseList(), []);
      const partitions = await computer.getComputerPartitionList();
      assert.deepEqual(partitions.map((p) => p.getId()), ['slappart0', 'slappart1', 'slappart2']);
      for (const partition of partitions) {
        assert.equal(partition.getState(), 'destroyed');
        assert.deepEqual({ ...partition.getInstanceParameterDict() }, {});
      }
    });

    test('a supplied software release is listed for the node, available then destroyed', async () => {
      await slap.registerSupply().supply(SR, 'COMP');
      let list = await slap.registerComputer('COMP').getSoftwareReleaseList();
      assert.deepEqual(list.map((sr) => [sr.getURI(), sr.getState()]), [[SR, 'available']]);
      await slap.registerSupply().supply(SR, 'COMP', 'destroyed');
      list = await slap.registerComputer('COMP').getSoftwareReleaseList();
      assert.deepEqual(list.map((sr) => [sr.getURI(), sr.getState()]), [[SR, 'destroyed']]);
      // The node uninstalled it and says so: the supply is gone.
      await list[0]!.destroyed();
      assert.deepEqual(await slap.registerComputer('COMP').getSoftwareReleaseList(), []);
      await slap.registerSupply().supply(SR, 'COMP');
    });

    test('a user request allocates the first free partition; the node sees the instance', async () => {
      const instance = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 8080, name: 'a<b&c' } });
      assert.equal(instance.getId(), 'slappart0');
      assert.equal(instance.getState(), 'started');
      assert.equal(instance.getInstanceGuid(), 'COMP-slappart0');
      assert.equal(instance.getInstanceParameter('port'), '8080');

      const [partition] = await slap.registerComputer('COMP').getComputerPartitionList();
      assert.equal(partition!.getState(), 'started');
      assert.equal(partition!.getSoftwareRelease().getURI(), SR);
      const parameters = partition!.getInstanceParameterDict();
      assert.equal(parameters.port, '8080');
      assert.equal(parameters.name, 'a<b&c');
      assert.equal(parameters.slap_software_type, 'default');
      assert.equal(parameters.instance_title, 'MyInstance');
      assert.equal(parameters.root_instance_title, 'MyInstance');
      assert.equal(parameters.slap_computer_partition_id, 'slappart0');
      assert.deepEqual(parameters.ip_list, [new PyTuple(['slaptap0', '10.10.0.10'])]);
      assert.deepEqual(parameters.slave_instance_list, []);
      assert.match(String(parameters.timestamp), /^\d+\.\d+$/);
    });

    test('the instance publishes connection parameters; the requester reads them', async () => {
      const partition = await partitionOf(slap, 'COMP', 'slappart0');
      await partition.setConnectionDict({ url: 'http://10.10.0.10:8080/', empty: '' });
      const again = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 8080, name: 'a<b&c' } });
      assert.equal(again.getConnectionParameter('url'), 'http://10.10.0.10:8080/');
      assert.equal(again.getConnectionParameter('empty'), null);
      const node = await partitionOf(slap, 'COMP', 'slappart0');
      assert.equal(node.getConnectionParameter('url'), 'http://10.10.0.10:8080/');
    });

    test('an update keeps the partition; only a real change moves the timestamp', async () => {
      const before = (await partitionOf(slap, 'COMP', 'slappart0')).getInstanceParameter('timestamp');
      await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 8080, name: 'a<b&c' } });
      assert.equal((await partitionOf(slap, 'COMP', 'slappart0')).getInstanceParameter('timestamp'), before);
      const updated = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 9090 } });
      assert.equal(updated.getId(), 'slappart0');
      const node = await partitionOf(slap, 'COMP', 'slappart0');
      assert.equal(node.getInstanceParameter('port'), '9090');
      assert.ok(Number(node.getInstanceParameter('timestamp')) > Number(before));
    });

    test('state changes: stopped, then started again', async () => {
      await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 9090 }, state: 'stopped' });
      assert.equal((await partitionOf(slap, 'COMP', 'slappart0')).getState(), 'stopped');
      // No state given: the stored one is kept.
      await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 9090 } });
      assert.equal((await partitionOf(slap, 'COMP', 'slappart0')).getState(), 'stopped');
      await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 9090 }, state: 'started' });
      assert.equal((await partitionOf(slap, 'COMP', 'slappart0')).getState(), 'started');
    });

    test('the node reports and errors are accepted', async () => {
      const partition = await partitionOf(slap, 'COMP', 'slappart0');
      await partition.started();
      await partition.stopped();
      await partition.error('buildout failed');
      const [sr] = await slap.registerComputer('COMP').getSoftwareReleaseList();
      await sr!.building();
      await sr!.available();
      await sr!.error('compilation failed');
      await slap.registerComputer('COMP').reportUsage('<journal/>');
      await slap.registerComputer('COMP').bang('node rebooted');
    });

    test('a child instance is identified by its name and its tree; the root state forces the children', async () => {
      const root = await partitionOf(slap, 'COMP', 'slappart0');
      const child = await root.request({ softwareRelease: SR, softwareType: 'backend', partitionReference: 'backend', partitionParameterKw: { size: 'small' } });
      assert.equal(child.getId(), 'slappart1');
      const childView = await partitionOf(slap, 'COMP', 'slappart1');
      assert.equal(childView.getInstanceParameter('root_instance_title'), 'MyInstance');
      assert.equal(childView.getType(), 'backend');
      // The same name requested by the user is another instance.
      const other = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'backend' });
      assert.equal(other.getId(), 'slappart2');
      // The child asking again from its own partition finds itself under the same root.
      const again = await root.request({ softwareRelease: SR, softwareType: 'backend', partitionReference: 'backend', partitionParameterKw: { size: 'small' } });
      assert.equal(again.getId(), 'slappart1');
      // Stop the root: a re-request of the child follows the root.
      await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 9090 }, state: 'stopped' });
      const forced = await root.request({ softwareRelease: SR, softwareType: 'backend', partitionReference: 'backend', partitionParameterKw: { size: 'small' }, state: 'started' });
      assert.equal(forced.getState(), 'stopped');
    });

    test('no free partition left: NOT_FOUND', async () => {
      await rejectsWith(slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'one too many' }), 'SLAP_ERR_NOT_FOUND');
    });

    test('destruction: a root waits for its children, a destroyed partition is reused', async () => {
      await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', state: 'destroyed' });
      const root = await partitionOf(slap, 'COMP', 'slappart0');
      assert.equal(root.getState(), 'destroyed');
      await root.destroyed();
      // Refused while the child exists, but the child is now asked to go.
      const child = await partitionOf(slap, 'COMP', 'slappart1');
      assert.equal(child.getState(), 'destroyed');
      await child.destroyed();
      await (await partitionOf(slap, 'COMP', 'slappart0')).destroyed();
      const partitions = await slap.registerComputer('COMP').getComputerPartitionList();
      assert.deepEqual(partitions.map((p) => p.getState()), ['destroyed', 'destroyed', 'started']);
      const reused = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'Reborn' });
      assert.equal(reused.getId(), 'slappart0');
      const fresh = await partitionOf(slap, 'COMP', 'slappart0');
      assert.deepEqual(fresh.getConnectionParameterDict(), Object.create(null));
      assert.equal(fresh.getInstanceParameter('instance_title'), 'Reborn');
    });

    test('bang marks the whole tree for reprocessing; rename keeps the tree together', async () => {
      const root = await partitionOf(slap, 'COMP', 'slappart0');
      const child = await root.request({ softwareRelease: SR, partitionReference: 'worker' });
      const before = (await partitionOf(slap, 'COMP', child.getId())).getInstanceParameter('timestamp');
      await (await partitionOf(slap, 'COMP', child.getId())).bang('service died');
      const after = (await partitionOf(slap, 'COMP', child.getId())).getInstanceParameter('timestamp');
      assert.ok(Number(after) > Number(before));
      assert.ok(Number((await partitionOf(slap, 'COMP', 'slappart0')).getInstanceParameter('timestamp')) >= Number(after));

      await root.rename('Renamed');
      const renamed = await partitionOf(slap, 'COMP', 'slappart0');
      assert.equal(renamed.getInstanceParameter('instance_title'), 'Renamed');
      assert.equal((await partitionOf(slap, 'COMP', child.getId())).getInstanceParameter('root_instance_title'), 'Renamed');
      const same = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'Renamed' });
      assert.equal(same.getId(), 'slappart0');
    });
  });

  describe('slave instances', () => {
    let proxy: TestProxy;
    let slap: Slap;
    before(async () => {
      ({ proxy, slap } = await withProxy({ COMP: 2 }));
      await slap.registerOpenOrder().request({ softwareRelease: FRONTEND_SR, softwareType: 'frontend', partitionReference: 'front' });
    });
    after(async () => { await slap.close(); await proxy.close(); });

    test('a slave is attached to a host and listed, with its typed parameters', async () => {
      const parameters: MarshalDict = { url: 'http://[2001:db8::1]:8080/', port: 8080, enabled: true };
      const slave = await slap.registerOpenOrder().request({ softwareRelease: FRONTEND_SR, softwareType: 'frontend', partitionReference: 'mysite', shared: true, partitionParameterKw: parameters });
      assert.equal(slave.getId(), 'slappart0');
      assert.equal(slave.getInstanceParameter('port'), '8080');
      const host = await partitionOf(slap, 'COMP', 'slappart0');
      const list = host.getInstanceParameter('slave_instance_list') as MarshalDict[];
      assert.equal(list.length, 1);
      assert.deepEqual({ ...list[0] }, { slave_reference: '_mysite', slave_title: '_mysite', slap_software_type: 'frontend', ...parameters });
      // No partition was taken.
      assert.equal((await partitionOf(slap, 'COMP', 'slappart1')).getState(), 'destroyed');
    });

    test('the host publishes for the slave; the requester reads it', async () => {
      const host = await partitionOf(slap, 'COMP', 'slappart0');
      await host.setConnectionDict({ site_url: 'https://front.example/' }, '_mysite');
      const slave = await slap.registerOpenOrder().request({ softwareRelease: FRONTEND_SR, softwareType: 'frontend', partitionReference: 'mysite', shared: true, partitionParameterKw: { url: 'http://[2001:db8::1]:8080/', port: 8080, enabled: true } });
      assert.equal(slave.getConnectionParameter('site_url'), 'https://front.example/');
      // The host's own connection parameters are untouched.
      assert.deepEqual({ ...(await partitionOf(slap, 'COMP', 'slappart0')).getConnectionParameterDict() }, {});
    });

    test('a slave requested from a partition is scoped by its tree; updating does not duplicate', async () => {
      const host = await partitionOf(slap, 'COMP', 'slappart0');
      await host.request({ softwareRelease: FRONTEND_SR, softwareType: 'frontend', partitionReference: 'mysite', shared: true, partitionParameterKw: { a: 1 } });
      await host.request({ softwareRelease: FRONTEND_SR, softwareType: 'frontend', partitionReference: 'mysite', shared: true, partitionParameterKw: { a: 2 } });
      const list = (await partitionOf(slap, 'COMP', 'slappart0')).getInstanceParameter('slave_instance_list') as MarshalDict[];
      assert.deepEqual(list.map((entry) => [entry.slave_reference, entry.a]), [['_mysite', undefined], ['front_mysite', 2]]);
    });

    test('a destroyed slave leaves the host list and bumps the host timestamp', async () => {
      const before = (await partitionOf(slap, 'COMP', 'slappart0')).getInstanceParameter('timestamp');
      await slap.registerOpenOrder().request({ softwareRelease: FRONTEND_SR, softwareType: 'frontend', partitionReference: 'mysite', shared: true, state: 'destroyed' });
      const host = await partitionOf(slap, 'COMP', 'slappart0');
      const list = host.getInstanceParameter('slave_instance_list') as MarshalDict[];
      assert.deepEqual(list.map((entry) => entry.slave_reference), ['front_mysite']);
      assert.ok(Number(host.getInstanceParameter('timestamp')) > Number(before));
    });

    test('no host for the software release: NOT_FOUND', async () => {
      await rejectsWith(slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'orphan', shared: true }), 'SLAP_ERR_NOT_FOUND');
    });

    test('instance_guid picks the host', async () => {
      const other = await slap.registerOpenOrder().request({ softwareRelease: FRONTEND_SR, softwareType: 'frontend', partitionReference: 'front2' });
      assert.equal(other.getId(), 'slappart1');
      const slave = await slap.registerOpenOrder().request({ softwareRelease: FRONTEND_SR, softwareType: 'frontend', partitionReference: 'pinned', shared: true, filterKw: { instance_guid: 'COMP-slappart1' } });
      assert.equal(slave.getId(), 'slappart1');
    });
  });

  describe('several computers', () => {
    let proxy: TestProxy;
    let slap: Slap;
    before(async () => ({ proxy, slap } = await withProxy({ 'COMP-0': 1, 'COMP-1': 2 })));
    after(async () => { await slap.close(); await proxy.close(); });

    test('supplies and instances are per computer; computer_guid chooses', async () => {
      await slap.registerSupply().supply(SR, 'COMP-1');
      assert.deepEqual(await slap.registerComputer('COMP-0').getSoftwareReleaseList(), []);
      assert.equal((await slap.registerComputer('COMP-1').getSoftwareReleaseList()).length, 1);

      const there = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'there', filterKw: { computer_guid: 'COMP-1' } });
      assert.equal(there.getComputerId(), 'COMP-1');
      assert.equal(there.getInstanceGuid(), 'COMP-1-slappart0');
      assert.deepEqual(there.attributes.ip_list, [new PyTuple(['slaptap0', '10.11.0.10'])]);
      // Without an SLA, the configured (first) computer.
      const here = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'here' });
      assert.equal(here.getComputerId(), 'COMP-0');
      // An existing instance stays where it is, whatever the SLA says.
      const moved = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'here', filterKw: { computer_guid: 'COMP-1' } });
      assert.equal(moved.getComputerId(), 'COMP-0');
      // COMP-0 is full; COMP-1 still has room.
      await rejectsWith(slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'more' }), 'SLAP_ERR_NOT_FOUND');
      const states = async (id: string) => (await slap.registerComputer(id).getComputerPartitionList()).map((p) => p.getState());
      assert.deepEqual(await states('COMP-0'), ['started']);
      assert.deepEqual(await states('COMP-1'), ['started', 'destroyed']);
    });

    test('an unknown computer or partition is NOT_FOUND', async () => {
      await rejectsWith(slap.registerComputer('COMP-404').getComputerPartitionList(), 'SLAP_ERR_NOT_FOUND');
      await rejectsWith(slap.registerComputerPartition('COMP-0', 'slappart9'), 'SLAP_ERR_NOT_FOUND');
    });

    test('re-formatting keeps allocated partitions and drops unlisted ones', async () => {
      const computer = slap.registerComputer('COMP-1');
      await computer.updateConfiguration(computerXml('COMP-1', 1, 11));
      const partitions = await slap.registerComputer('COMP-1').getComputerPartitionList();
      assert.deepEqual(partitions.map((p) => [p.getId(), p.getState()]), [['slappart0', 'started']]);
    });
  });
}
