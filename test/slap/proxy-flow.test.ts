import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Slap, marshal, type ComputerPartition, type MarshalDict } from '../../src/slap/index.ts';
import { Logger, MemorySink } from '../../src/log/index.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';

const COMPUTER = 'computer';
const SR = 'https://lab.example/software.cfg';

/** The description slapformat registers: two partitions with a tap and one address each. */
function computerDescription(): string {
  const partition = (index: number): MarshalDict => ({
    reference: `slappart${index}`,
    tap: { name: `slaptap${index}` },
    address_list: [{ addr: `10.0.0.${10 + index}`, netmask: '255.255.255.0' }],
  });
  return marshal({ reference: COMPUTER, address: '10.0.0.1', netmask: '255.255.255.0', partition_list: [partition(0), partition(1)] });
}

let proxy: TestProxy;
let slap: Slap;
/** The SLAP calls made, from the transport's debug log: the wire sequence. */
let sink: MemorySink;
const wire = (): string[] => sink.lines
  .map((line) => JSON.parse(line) as { msg: string; method: string; endpoint: string })
  .filter((line) => line.msg === 'SLAP call')
  .map((line) => `${line.method} ${line.endpoint}`);

before(async () => {
  proxy = await startTestProxy({ computerId: COMPUTER });
  sink = new MemorySink();
  slap = new Slap({ logger: new Logger({ level: 'debug', format: 'json', sinks: [sink] }) });
  slap.initializeConnection(proxy.url);
});
after(async () => {
  await slap.close();
  await proxy.close();
});

it('registers, supplies, requests and publishes through a real proxy', async () => {
  assert.equal(await slap.registerComputer(COMPUTER).updateConfiguration(computerDescription()), 'done');
  await slap.registerSupply().supply(SR, COMPUTER);

  const node = slap.registerComputer(COMPUTER);
  const [release] = await node.getSoftwareReleaseList();
  assert.equal(release?.getURI(), SR);
  assert.equal(release?.getState(), 'available');
  assert.deepEqual((await node.getComputerPartitionList()).map((p) => [p.getId(), p.getState()]),
    [['slappart0', 'destroyed'], ['slappart1', 'destroyed']]);

  const requested = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 8080 } });
  assert.equal(requested.getId(), 'slappart0');
  assert.equal(requested.getState(), 'started');
  assert.equal(requested.getInstanceParameter('port'), '8080');

  // The node sees the allocation in a new snapshot and publishes the connection parameters, once.
  sink.lines.length = 0;
  const partitions = await slap.registerComputer(COMPUTER).getComputerPartitionList();
  const hosting = partitions.find((p) => p.getId() === 'slappart0') as ComputerPartition;
  assert.equal(hosting.getState(), 'started');
  assert.equal(hosting.getSoftwareRelease().getURI(), SR);
  assert.equal(hosting.getInstanceParameter('instance_title'), 'MyInstance');
  assert.equal(hosting.getInstanceParameter('port'), '8080');
  await hosting.setConnectionDict({ url: 'http://10.0.0.10:8080/' });
  await hosting.setConnectionDict({ url: 'http://10.0.0.10:8080/' });
  await hosting.started();
  assert.deepEqual(wire(), ['GET getFullComputerInformation', 'POST setComputerPartitionConnectionXml', 'POST startedComputerPartition']);

  const again = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'MyInstance', partitionParameterKw: { port: 8080 } });
  assert.equal(again.getConnectionParameter('url'), 'http://10.0.0.10:8080/');

  // The instance requests a child from its own partition, then the child publishes.
  const me = await slap.registerComputerPartition(COMPUTER, 'slappart0');
  assert.equal(me.getConnectionParameter('url'), 'http://10.0.0.10:8080/');
  const child = await me.request({ softwareRelease: SR, softwareType: 'backend', partitionReference: 'backend' });
  assert.equal(child.getId(), 'slappart1');
  assert.equal(child.getType(), 'backend');

  // No room left: a 1.x proxy answers 404.
  await assert.rejects(slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'Third' }), { code: 'SLAP_ERR_NOT_FOUND' });

  // A slave hosted by MyInstance's partition: the host publishes for it, the requester reads it.
  const slave = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'front', shared: true, partitionParameterKw: { path: '/x' } });
  assert.equal(slave.getId(), 'slappart0');
  const [hostView] = (await slap.registerComputer(COMPUTER).getComputerPartitionList()).filter((p) => p.getId() === 'slappart0');
  const slaves = hostView?.getInstanceParameter('slave_instance_list');
  assert.ok(Array.isArray(slaves) && slaves.length === 1);
  const reference = (slaves[0] as MarshalDict).slave_reference as string;
  await hostView?.setConnectionDict({ site_url: 'https://front/x' }, reference);
  const slaveAgain = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'front', shared: true, partitionParameterKw: { path: '/x' } });
  assert.equal(slaveAgain.getConnectionParameter('site_url'), 'https://front/x');

  await child.started();
  await child.error('something went wrong');
  await child.bang('restart the tree');
});

it('maps the proxy\'s errors for unknown objects to typed errors', async () => {
  await assert.rejects(slap.registerComputerPartition(COMPUTER, 'slappart99'), (error: Error & { code?: string }) => {
    assert.ok(['SLAP_ERR_NOT_FOUND', 'SLAP_ERR_SERVER'].includes(error.code ?? ''), error.message);
    assert.match(error.message, /registerComputerPartition \(computer_reference=computer, computer_partition_reference=slappart99\)/);
    return true;
  });
});
