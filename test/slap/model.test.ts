import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, MemorySink } from '../../src/log/index.ts';
import { PyObject, PyTuple, unmarshal } from '../../src/slap/codec/index.ts';
import { Slap, requestTransactionPath, type ComputerPartition } from '../../src/slap/index.ts';
import { startTestMaster, type RecordedCall, type Reply, type TestMaster } from './helpers/master.ts';
import {
  SR_URL, allocatedPartition, computer, dict, freePartition, marshalled, oldSoftwareInstance, slaveInstance,
  softwareInstance, softwareRelease, str,
} from './helpers/documents.ts';
import { rejectsWith } from '../helpers/assert.ts';

const COMPUTER = 'COMP-123';

describe('SLAP object model against a test master', () => {
  let master: TestMaster;
  let slap: Slap;
  let sink: MemorySink;
  /** Answers by endpoint; unknown endpoints answer 404. */
  let answers: Record<string, Reply | ((call: RecordedCall) => Reply)>;

  const calls = (): string[] => master.calls.map((c) => `${c.method} ${c.path.slice(1)}`);

  before(async () => {
    master = await startTestMaster();
    master.respond((call) => {
      const answer = answers[call.path.slice(1)];
      if (answer === undefined) return { status: 404, body: 'Not Found' };
      return typeof answer === 'function' ? answer(call) : answer;
    });
  });
  after(() => master.close());
  beforeEach(() => {
    master.calls.length = 0;
    answers = {};
    sink = new MemorySink();
    slap = new Slap({ logger: new Logger({ sinks: [sink] }) });
    slap.initializeConnection(master.url);
  });
  afterEach(() => slap.close());

  describe('Computer', () => {
    const fullInformation = computer(COMPUTER,
      [allocatedPartition(COMPUTER, 'slappart0', 'MyInstance'), freePartition(COMPUTER, 'slappart1')],
      [softwareRelease(COMPUTER, SR_URL, 'available'), softwareRelease(COMPUTER, 'https://old/software.cfg', 'destroyed')]);

    it('reads partitions and software releases from one getFullComputerInformation', async () => {
      answers.getFullComputerInformation = { body: fullInformation };
      const node = slap.registerComputer(COMPUTER);
      const partitions = await node.getComputerPartitionList();
      const releases = await node.getSoftwareReleaseList();
      await node.getComputerPartitionList();
      assert.deepEqual(calls(), ['GET getFullComputerInformation']);
      assert.deepEqual(master.calls[0]?.query, { computer_id: COMPUTER });

      assert.deepEqual(partitions.map((p) => [p.getId(), p.getState()]), [['slappart0', 'started'], ['slappart1', 'destroyed']]);
      const [busy, free] = partitions as [ComputerPartition, ComputerPartition];
      assert.equal(busy.getInstanceGuid(), 'COMP-123-slappart0');
      assert.equal(busy.getType(), 'default');
      assert.equal(busy.getInstanceParameter('port'), '8080');
      const ipList = busy.getInstanceParameterDict().ip_list;
      assert.ok(Array.isArray(ipList) && ipList[0] instanceof PyTuple);
      assert.deepEqual((ipList[0] as PyTuple).items, ['slaptap0', '10.0.0.10']);
      assert.deepEqual({ ...busy.getConnectionParameterDict() }, { url: 'http://10.0.0.10:8080/' });
      assert.equal(busy.getConnectionParameter('url'), 'http://10.0.0.10:8080/');
      assert.equal(busy.getSoftwareRelease().getURI(), SR_URL);
      assert.equal(busy.getSoftwareRelease().getComputerId(), COMPUTER);
      assert.equal(busy.getAccessStatus(), '#access instance is running', 'unknown attributes are kept');
      assert.throws(() => busy.getInstanceParameter('nope'), { code: 'SLAP_ERR_NOT_FOUND', message: 'nope not found' });

      assert.deepEqual({ ...free.getInstanceParameterDict() }, {});
      assert.deepEqual({ ...free.getConnectionParameterDict() }, {});
      assert.throws(() => free.getSoftwareRelease(), { code: 'SLAP_ERR_NOT_FOUND', message: /slappart1/ });
      assert.throws(() => free.getType(), { code: 'SLAP_ERR_RESOURCE_NOT_READY' });

      assert.deepEqual(releases.map((r) => [r.getURI(), r.getState()]), [[SR_URL, 'available'], ['https://old/software.cfg', 'destroyed']]);
      const raw = await node.getInformation();
      assert.ok(raw instanceof PyObject && raw.className === 'Computer');
    });

    it('falls back to getComputerInformation when the master does not know the Full call', async () => {
      answers.getComputerInformation = { body: computer(COMPUTER, [], [softwareRelease(COMPUTER)]) };
      const releases = await slap.registerComputer(COMPUTER).getSoftwareReleaseList();
      assert.deepEqual(calls(), ['GET getFullComputerInformation', 'GET getComputerInformation']);
      assert.equal(releases[0]?.getState(), 'available', '0.32 masters send no requested state: available');
    });

    it('reads a 0.32 answer: two-item tuples, <unicode> text, no guid, no release states', async () => {
      const oldPartition = '<object id="i0" module="slapos.slap.slap" class="ComputerPartition">'
        + `<tuple>${str(COMPUTER)}<unicode>slappart0</unicode></tuple><dictionary id="i0">`
        + `${str('_computer_id')}${str(COMPUTER)}${str('_need_modification')}<int>1</int>`
        + `${str('_parameter_dict')}<dictionary id="i0">${str('ip_list')}<list id="i0"><tuple><unicode>slaptap0</unicode><unicode>10.0.0.10</unicode></tuple></list>`
        + `${str('slap_software_type')}<unicode>RootSoftwareInstance</unicode></dictionary>`
        + `${str('_partition_id')}<unicode>slappart0</unicode>${str('_requested_state')}${str('started')}`
        + `${str('_software_release_document')}${softwareRelease(COMPUTER)}</dictionary></object>`;
      answers.getFullComputerInformation = { body: computer(COMPUTER, [oldPartition], [softwareRelease(COMPUTER)]) };
      const [partition] = await slap.registerComputer(COMPUTER).getComputerPartitionList();
      assert.ok(partition !== undefined);
      assert.equal(partition.getId(), 'slappart0');
      assert.equal(partition.getState(), 'started');
      assert.equal(partition.getType(), 'RootSoftwareInstance');
      assert.deepEqual({ ...partition.getConnectionParameterDict() }, {});
      assert.throws(() => partition.getInstanceGuid(), { code: 'SLAP_ERR_RESOURCE_NOT_READY' });
    });

    it('does not call the master for an empty computer id, and retries after a failure', async () => {
      await rejectsWith(slap.registerComputer('').getComputerPartitionList(), 'SLAP_ERR_NOT_FOUND');
      assert.deepEqual(calls(), []);
      answers.getFullComputerInformation = { status: 500, body: 'boom' };
      const node = slap.registerComputer(COMPUTER);
      await rejectsWith(node.getComputerPartitionList(), 'SLAP_ERR_SERVER', 'getFullComputerInformation (computer_id=COMP-123)', 'HTTP 500');
      answers.getFullComputerInformation = { body: fullInformation };
      assert.equal((await node.getComputerPartitionList()).length, 2);
    });

    it('refuses answers of the wrong shape', async () => {
      answers.getFullComputerInformation = { body: marshalled(str('hello')) };
      await rejectsWith(slap.registerComputer(COMPUTER).getComputerPartitionList(), 'SLAP_ERR_UNEXPECTED_RESPONSE', 'expected a Computer object');
      answers.getFullComputerInformation = { body: computer(COMPUTER, [allocatedPartition(COMPUTER, 'slappart0', 'x').replace(
        '<string>_requested_state</string><string>started</string>', '<string>_requested_state</string><int>1</int>')], []) };
      await rejectsWith(slap.registerComputer(COMPUTER).getComputerPartitionList(), 'SLAP_ERR_UNEXPECTED_RESPONSE', '_requested_state');
    });

    it('names the endpoint when an answer cannot be decoded', async () => {
      answers.getFullComputerInformation = { body: '<marshal><string>unclosed</marshal>' };
      await assert.rejects(slap.registerComputer(COMPUTER).getComputerPartitionList(), (error: Error & { code?: string; status?: number }) => {
        assert.equal(error.code, 'SLAP_ERR_XML_SYNTAX');
        assert.equal(error.status, 502);
        assert.match(error.message, /^getFullComputerInformation: cannot decode the master's answer: /);
        return true;
      });
    });

    it('registers its configuration, reports usage and bangs', async () => {
      answers.loadComputerConfigurationFromXML = { body: 'done' };
      answers.useComputer = { body: 'Ignored' };
      answers.computerBang = { body: marshalled(str('')) };
      answers.getComputerStatus = { body: marshalled(dict([['text', str('ok')]])) };
      const node = slap.registerComputer(COMPUTER);
      assert.equal(await node.updateConfiguration('<marshal><dictionary id="i2"/></marshal>'), 'done');
      await node.reportUsage('');
      await node.reportUsage('<journal/>');
      await node.bang('slapos node format failed');
      assert.deepEqual({ ...(await node.getStatus() as object) }, { text: 'ok' });
      assert.deepEqual(calls(), ['POST loadComputerConfigurationFromXML', 'POST useComputer', 'POST computerBang', 'GET getComputerStatus']);
      assert.deepEqual(master.calls.map((c) => (c.method === 'GET' ? c.query : c.form)), [
        { xml: '<marshal><dictionary id="i2"/></marshal>' },
        { computer_id: COMPUTER, use_string: '<journal/>' },
        { computer_id: COMPUTER, message: 'slapos node format failed' },
        { computer_id: COMPUTER },
      ]);
    });
  });

  describe('master-only calls', () => {
    it('manages computer certificates, requests computers and lists hosting addresses', async () => {
      answers.generateComputerCertificate = { body: marshalled(dict([['certificate', str('CERT')], ['key', str('KEY')]])) };
      answers.revokeComputerCertificate = { body: '' };
      answers.requestComputer = { body: computer('COMP-NEW', [], []) };
      answers.registerComputerPartition = { body: marshalled(allocatedPartition(COMPUTER, 'slappart0', 'MyInstance')) };
      answers.getHostingSubscriptionIpList = { body: marshalled(`<list id="i2"><tuple>${str('slappart0')}${str('10.0.0.10')}</tuple></list>`) };
      const node = slap.registerComputer(COMPUTER);
      assert.deepEqual(await node.generateCertificate(), { certificate: 'CERT', key: 'KEY' });
      await node.revokeCertificate();
      const created = await slap.registerOpenOrder().requestComputer('my new node');
      assert.equal(created.getId(), 'COMP-NEW');
      const partition = await slap.registerComputerPartition(COMPUTER, 'slappart0');
      const addresses = await partition.getFullHostingIpAddressList();
      assert.ok(addresses[0] instanceof PyTuple);
      assert.deepEqual(master.calls.map((c) => [c.method, c.path.slice(1), c.method === 'GET' ? c.query : c.form]), [
        ['POST', 'generateComputerCertificate', { computer_id: COMPUTER }],
        ['POST', 'revokeComputerCertificate', { computer_id: COMPUTER }],
        ['POST', 'requestComputer', { computer_title: 'my new node' }],
        ['GET', 'registerComputerPartition', { computer_reference: COMPUTER, computer_partition_reference: 'slappart0' }],
        ['GET', 'getHostingSubscriptionIpList', { computer_id: COMPUTER, computer_partition_id: 'slappart0' }],
      ]);
      answers.generateComputerCertificate = { body: marshalled(str('nope')) };
      await rejectsWith(node.generateCertificate(), 'SLAP_ERR_UNEXPECTED_RESPONSE', 'generateComputerCertificate');
    });
  });

  describe('SoftwareRelease', () => {
    it('reports building, available, destroyed and errors with url and computer_id', async () => {
      answers.getFullComputerInformation = { body: computer(COMPUTER, [], [softwareRelease(COMPUTER)]) };
      for (const endpoint of ['buildingSoftwareRelease', 'availableSoftwareRelease', 'destroyedSoftwareRelease', 'softwareReleaseError']) {
        answers[endpoint] = { body: 'Ignored' };
      }
      const [release] = await slap.registerComputer(COMPUTER).getSoftwareReleaseList();
      assert.ok(release !== undefined);
      await release.building();
      await release.available();
      await release.destroyed();
      await release.error('buildout failed');
      assert.deepEqual(calls().slice(1), ['POST buildingSoftwareRelease', 'POST availableSoftwareRelease', 'POST destroyedSoftwareRelease', 'POST softwareReleaseError']);
      assert.deepEqual(master.calls[1]?.form, { url: SR_URL, computer_id: COMPUTER });
      assert.deepEqual(master.calls[4]?.form, { url: SR_URL, computer_id: COMPUTER, error_log: 'buildout failed' });
    });

    it('logs, and does not throw, when the error report fails', async () => {
      answers.getFullComputerInformation = { body: computer(COMPUTER, [], [softwareRelease(COMPUTER)]) };
      answers.softwareReleaseError = { status: 500, body: 'down' };
      const [release] = await slap.registerComputer(COMPUTER).getSoftwareReleaseList();
      await release?.error('buildout failed');
      assert.match(sink.text(), /cannot report the software release error.*SLAP_ERR_SERVER/);
    });

    it('needs a computer to report', async () => {
      await assert.rejects(slap.registerSoftwareRelease(SR_URL).building(), { code: 'SLAP_ERR_INVALID_ARGUMENT' });
      assert.equal(slap.registerSoftwareRelease(SR_URL).getURI(), SR_URL);
      assert.deepEqual(calls(), []);
    });
  });

  describe('ComputerPartition', () => {
    async function registered(partitionId = 'slappart0'): Promise<ComputerPartition> {
      answers.registerComputerPartition = { body: marshalled(allocatedPartition(COMPUTER, partitionId, 'MyInstance')) };
      return slap.registerComputerPartition(COMPUTER, partitionId);
    }

    it('is fetched with registerComputerPartition; empty ids fail before any call', async () => {
      const partition = await registered();
      assert.deepEqual(calls(), ['GET registerComputerPartition']);
      assert.deepEqual(master.calls[0]?.query, { computer_reference: COMPUTER, computer_partition_reference: 'slappart0' });
      assert.equal(partition.getState(), 'started');
      await rejectsWith(slap.registerComputerPartition(COMPUTER, ''), 'SLAP_ERR_NOT_FOUND');
      await rejectsWith(slap.registerComputerPartition('', 'slappart0'), 'SLAP_ERR_NOT_FOUND');
      assert.equal(master.calls.length, 1);
    });

    it('reports its states, bangs, renames and errors with its ids', async () => {
      const partition = await registered();
      for (const endpoint of ['startedComputerPartition', 'stoppedComputerPartition', 'destroyedComputerPartition',
        'buildingComputerPartition', 'availableComputerPartition', 'softwareInstanceBang', 'softwareInstanceRename',
        'softwareInstanceError', 'updateComputerPartitionRelatedInstanceList']) {
        answers[endpoint] = { body: 'OK' };
      }
      await partition.started();
      await partition.stopped();
      await partition.destroyed();
      await partition.building();
      await partition.available();
      await partition.bang('promise failed');
      await partition.rename('NewName');
      await partition.rename('NewName', '_front');
      await partition.error('it broke');
      await partition.error('slave broke', undefined, '_front');
      await partition.setComputerPartitionRelatedInstanceList(['a', 'b']);
      const ids = { computer_id: COMPUTER, computer_partition_id: 'slappart0' };
      assert.deepEqual(master.calls.slice(1).map((c) => [c.path.slice(1), c.form]), [
        ['startedComputerPartition', ids],
        ['stoppedComputerPartition', ids],
        ['destroyedComputerPartition', ids],
        ['buildingComputerPartition', ids],
        ['availableComputerPartition', ids],
        ['softwareInstanceBang', { ...ids, message: 'promise failed' }],
        ['softwareInstanceRename', { ...ids, new_name: 'NewName' }],
        ['softwareInstanceRename', { ...ids, new_name: 'NewName', slave_reference: '_front' }],
        ['softwareInstanceError', { ...ids, error_log: 'it broke' }],
        ['softwareInstanceError', { ...ids, error_log: 'slave broke', slave_reference: '_front' }],
        ['updateComputerPartitionRelatedInstanceList', { ...ids, instance_reference_xml: '<marshal><list id="i2"><string>a</string><string>b</string></list></marshal>' }],
      ]);
    });

    it('maps each error status of a report to its code', async () => {
      const partition = await registered();
      const cases: Array<[number, string]> = [[404, 'SLAP_ERR_NOT_FOUND'], [408, 'SLAP_ERR_RESOURCE_NOT_READY'], [403, 'SLAP_ERR_UNAUTHORIZED'], [500, 'SLAP_ERR_SERVER']];
      for (const [status, code] of cases) {
        answers.softwareInstanceBang = { status, body: '' };
        await rejectsWith(partition.bang('x'), code, 'softwareInstanceBang (computer_id=COMP-123, computer_partition_id=slappart0, message=x)');
      }
    });

    it('publishes connection parameters only when they changed', async () => {
      const partition = await registered();
      answers.setComputerPartitionConnectionXml = { body: 'done' };
      await partition.setConnectionDict({ url: 'http://10.0.0.10:8080/' });
      assert.deepEqual(calls(), ['GET registerComputerPartition'], 'the master already has these values');
      await partition.setConnectionDict({ url: 'http://10.0.0.10:8080/', password: 'secret', empty: '' });
      await partition.setConnectionDict({ url: 'http://10.0.0.10:8080/', password: 'secret', empty: '' });
      assert.deepEqual({ ...partition.getConnectionParameterDict() }, { url: 'http://10.0.0.10:8080/', password: 'secret', empty: null });
      await partition.setConnectionDict({ port: 8080 });
      await partition.setConnectionDict({ port: 8080 });
      await partition.setConnectionDict({ site_url: 'https://front/' }, '_front');
      await partition.setConnectionDict({ site_url: 'https://front/' }, '_front');
      assert.deepEqual(calls().slice(1), Array(5).fill('POST setComputerPartitionConnectionXml'));
      const [first, , , slave] = master.calls.slice(1);
      assert.deepEqual(first?.form, {
        computer_id: COMPUTER, computer_partition_id: 'slappart0',
        connection_xml: '<marshal><dictionary id="i2"><string>empty</string><string></string><string>password</string><string>secret</string><string>url</string><string>http://10.0.0.10:8080/</string></dictionary></marshal>',
        slave_reference: 'None',
      });
      assert.equal(slave?.form.slave_reference, '_front');
      await assert.rejects(partition.setConnectionDict(['x'] as never), { code: 'SLAP_ERR_INVALID_ARGUMENT' });
    });

    it('requests an instance of its tree and reads the 1.x answer', async () => {
      const partition = await registered();
      answers.requestComputerPartition = { body: softwareInstance(COMPUTER, 'slappart1') };
      const child = await partition.request({
        softwareRelease: SR_URL, softwareType: 'backend', partitionReference: 'backend',
        partitionParameterKw: { size: 'small' }, filterKw: { computer_guid: COMPUTER },
      });
      const call = master.calls[1];
      assert.equal(call?.path, '/requestComputerPartition');
      assert.deepEqual(Object.keys(call?.form ?? {}), ['computer_id', 'computer_partition_id', 'software_release', 'software_type',
        'partition_reference', 'shared_xml', 'partition_parameter_xml', 'filter_xml', 'state']);
      assert.deepEqual(call?.form, {
        computer_id: COMPUTER, computer_partition_id: 'slappart0', software_release: SR_URL, software_type: 'backend',
        partition_reference: 'backend', shared_xml: '<marshal><bool>0</bool></marshal>',
        partition_parameter_xml: '<marshal><dictionary id="i2"><string>size</string><string>small</string></dictionary></marshal>',
        filter_xml: '<marshal><dictionary id="i2"><string>computer_guid</string><string>COMP-123</string></dictionary></marshal>',
        state: '<marshal><none/></marshal>',
      });
      assert.equal(child.getId(), 'slappart1');
      assert.equal(child.getComputerId(), COMPUTER);
      assert.equal(child.getState(), 'started');
      assert.equal(child.getInstanceGuid(), 'COMP-123-slappart1');
      assert.equal(child.getInstanceParameter('port'), '8080');
      assert.equal(child.getType(), 'default');
      assert.equal(child.getSoftwareRelease().getURI(), SR_URL);
      assert.deepEqual({ ...child.getConnectionParameterDict() }, {});
      assert.equal(master.calls.length, 2, 'the answer is complete: no more calls');
    });

    it('rejects with SLAP_ERR_RESOURCE_NOT_READY while the instance is not allocated', async () => {
      const partition = await registered();
      answers.requestComputerPartition = { status: 408, body: '' };
      await rejectsWith(partition.request({ softwareRelease: SR_URL, softwareType: null, partitionReference: 'later' }),
        'SLAP_ERR_RESOURCE_NOT_READY', 'requestComputerPartition', 'partition_reference=later');
      assert.equal(master.calls[1]?.form.software_type, 'default');
    });

    it('refuses bad request arguments before any call', async () => {
      const partition = await registered();
      const bad = [
        { softwareRelease: '', partitionReference: 'x' },
        { softwareRelease: SR_URL, partitionReference: '' },
        { softwareRelease: SR_URL, partitionReference: 'x', partitionParameterKw: ['a'] as never },
        { softwareRelease: SR_URL, partitionReference: 'x', filterKw: 'computer_guid' as never },
        { softwareRelease: SR_URL, partitionReference: 'x', state: 'running' as never },
      ];
      for (const request of bad) await rejectsWith(partition.request(request), 'SLAP_ERR_INVALID_ARGUMENT');
      assert.equal(master.calls.length, 1);
    });

    it('gets its certificate', async () => {
      const partition = await registered();
      answers.getComputerPartitionCertificate = { body: marshalled(dict([['certificate', str('')], ['key', str('')]])) };
      assert.deepEqual(await partition.getCertificate(), { certificate: '', key: '' });
      assert.deepEqual(master.calls[1]?.query, { computer_id: COMPUTER, computer_partition_id: 'slappart0' });
    });

    it('records the titles it requests in the request transaction file', async (t) => {
      const root = await mkdtemp(join(tmpdir(), 'slap-instance-root-'));
      t.after(() => rm(root, { recursive: true, force: true }));
      await mkdir(join(root, 'slappart0'));
      slap.initializeConnection(master.url, { instanceRoot: root });
      const partition = await registered();
      const file = requestTransactionPath(root, 'slappart0');
      assert.equal(await readFile(file, 'utf8'), '', 'created empty on registration');
      answers.requestComputerPartition = { body: softwareInstance(COMPUTER, 'slappart1') };
      await partition.request({ softwareRelease: SR_URL, partitionReference: 'backend' });
      await partition.request({ softwareRelease: SR_URL, partitionReference: 'db' });
      assert.equal(await readFile(file, 'utf8'), 'backend\ndb\n');
    });
  });

  describe('OpenOrder', () => {
    it('requests a root instance with the user form (no requester ids)', async () => {
      answers.requestComputerPartition = { body: softwareInstance(COMPUTER, 'slappart0', 'stopped') };
      const instance = await slap.registerOpenOrder().request({
        softwareRelease: SR_URL, partitionReference: 'MyInstance', partitionParameterKw: { port: 8080 }, state: 'stopped',
      });
      const call = master.calls[0];
      assert.deepEqual(Object.keys(call?.form ?? {}), ['software_release', 'partition_reference', 'partition_parameter_xml',
        'filter_xml', 'software_type', 'state', 'shared_xml']);
      assert.equal(call?.form.partition_parameter_xml, '<marshal><dictionary id="i2"><string>port</string><int>8080</int></dictionary></marshal>');
      assert.equal(call?.form.filter_xml, '<marshal><dictionary id="i2"/></marshal>');
      assert.equal(call?.form.state, '<marshal><string>stopped</string></marshal>');
      assert.equal(call?.form.software_type, 'default');
      assert.equal(instance.getState(), 'stopped');
    });

    it('reads a slave answer: connection parameters, state as requested', async () => {
      answers.requestComputerPartition = { body: slaveInstance(COMPUTER, 'slappart0') };
      const slave = await slap.registerOpenOrder().request({ softwareRelease: SR_URL, partitionReference: 'front', shared: true });
      assert.equal(master.calls[0]?.form.shared_xml, '<marshal><bool>1</bool></marshal>');
      assert.equal(slave.getConnectionParameter('site_url'), 'https://front.example/');
      assert.equal(slave.getInstanceParameter('url'), 'http://[2001:db8::1]:8080/');
      assert.equal(slave.getState(), 'started');
      assert.throws(() => slave.getInstanceGuid(), { code: 'SLAP_ERR_RESOURCE_NOT_READY' });
    });

    it('reads a 0.32 answer from its instance XML', async () => {
      answers.requestComputerPartition = { body: oldSoftwareInstance(COMPUTER, 'slappart0') };
      const instance = await slap.registerOpenOrder().request({ softwareRelease: SR_URL, partitionReference: 'MyInstance' });
      assert.equal(instance.getId(), 'slappart0');
      assert.equal(instance.getConnectionParameter('url'), 'http://old/');
      assert.equal(instance.getInstanceParameter('port'), '8080');
      assert.equal(instance.getState(), 'started');
    });

    it('maps "no room" answers: 408 (0.32) and 404 (1.x)', async () => {
      answers.requestComputerPartition = { status: 408, body: '' };
      await rejectsWith(slap.registerOpenOrder().request({ softwareRelease: SR_URL, partitionReference: 'x' }), 'SLAP_ERR_RESOURCE_NOT_READY');
      answers.requestComputerPartition = { status: 404, body: 'No free computer partition found for: x' };
      await rejectsWith(slap.registerOpenOrder().request({ softwareRelease: SR_URL, partitionReference: 'x' }), 'SLAP_ERR_NOT_FOUND',
        'No free computer partition found for: x');
    });

    it('refuses a request answer without the partition ids', async () => {
      answers.requestComputerPartition = { body: marshalled('<object id="i0" module="slapos.slap.slap" class="SoftwareInstance"><tuple/><dictionary id="i0"/></object>') };
      await rejectsWith(slap.registerOpenOrder().request({ softwareRelease: SR_URL, partitionReference: 'x' }), 'SLAP_ERR_UNEXPECTED_RESPONSE', 'slap_computer_id');
    });
  });

  describe('Supply and Slap', () => {
    it('supplies a software release, available by default', async () => {
      answers.supplySupply = { body: 'Supplied' };
      await slap.registerSupply().supply(SR_URL, COMPUTER);
      await slap.registerSupply().supply(SR_URL, COMPUTER, 'destroyed');
      await slap.registerSupply().supply(SR_URL);
      assert.deepEqual(master.calls.map((c) => c.form), [
        { url: SR_URL, computer_id: COMPUTER, state: 'available' },
        { url: SR_URL, computer_id: COMPUTER, state: 'destroyed' },
        { url: SR_URL, computer_id: 'None', state: 'available' },
      ]);
      await rejectsWith(slap.registerSupply().supply(SR_URL, COMPUTER, 'installed' as never), 'SLAP_ERR_INVALID_ARGUMENT');
      answers.supplySupply = { status: 404, body: '' };
      await rejectsWith(slap.registerSupply().supply(SR_URL, 'COMP-9'), 'SLAP_ERR_NOT_FOUND', 'Computer COMP-9 has not been found by SlapOS Master.');
    });

    it('lists the software releases of a product', async () => {
      answers.getSoftwareReleaseListFromSoftwareProduct = { body: marshalled(`<list id="i2">${str(SR_URL)}</list>`) };
      assert.deepEqual(await slap.getSoftwareReleaseListFromSoftwareProduct({ softwareProductReference: 'kvm' }), [SR_URL]);
      assert.deepEqual(master.calls[0]?.query, { software_product_reference: 'kvm' });
      await rejectsWith(slap.getSoftwareReleaseListFromSoftwareProduct({}), 'SLAP_ERR_INVALID_ARGUMENT');
    });

    it('needs initializeConnection first', () => {
      const unconnected = new Slap();
      assert.throws(() => unconnected.registerComputer(COMPUTER), { code: 'SLAP_ERR_NOT_CONNECTED' });
    });

    it('retries not-ready answers when asked to', async () => {
      let left = 2;
      answers.requestComputerPartition = () => (left-- > 0 ? { status: 408, body: '' } : { body: softwareInstance(COMPUTER, 'slappart0') });
      slap.initializeConnection(master.url, { retryOnNotReady: { attempts: 3, delayMs: 0 } });
      const instance = await slap.registerOpenOrder().request({ softwareRelease: SR_URL, partitionReference: 'x' });
      assert.equal(instance.getId(), 'slappart0');
      assert.equal(master.calls.length, 3);
    });
  });

  it('decodes the fixtures as the codec does (sanity check of the test documents)', () => {
    assert.ok(unmarshal(computer(COMPUTER, [freePartition(COMPUTER, 'slappart0')], [])) instanceof PyObject);
  });
});
