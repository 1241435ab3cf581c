import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { marshal } from '../../src/slap/index.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';

/**
 * The proxy at the HTTP level, with hand-made requests: statuses and
 * one-line bodies for client mistakes, path tolerance, body limits.
 */
let proxy: TestProxy;
before(async () => {
  proxy = await startTestProxy();
  await post('loadComputerConfigurationFromXML', {
    xml: marshal({ reference: 'computer', address: '10.0.0.1', netmask: '255.0.0.0', partition_list: [{ reference: 'slappart0', tap: { name: 'tap0' }, address_list: [] }] }),
  });
});
after(() => proxy.close());

async function post(endpoint: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const response = await fetch(`${proxy.url}/${endpoint}`, { method: 'POST', body: new URLSearchParams(form), headers });
  return { status: response.status, body: await response.text() };
}

async function get(path: string): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(`${proxy.url}${path}`);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

function oneLine(body: string): void {
  assert.match(body, /^[^\n]+\n$/, `expected a one-line body, got ${JSON.stringify(body)}`);
  assert.doesNotMatch(body, /at .*\(.*:\d+:\d+\)/, 'no stack trace');
}

const REQUEST = {
  software_release: 'http://sr/software.cfg',
  software_type: 'default',
  partition_reference: 'MyInstance',
  partition_parameter_xml: marshal({}),
  filter_xml: marshal({}),
  state: marshal(null),
  shared_xml: marshal(false),
};

describe('client mistakes get the status the original uses and one line', () => {
  test('missing parameters are 400', async () => {
    const full = await get('/getFullComputerInformation');
    assert.equal(full.status, 400);
    assert.equal(full.body, 'missing parameter: computer_id\n');
    const { state: _state, ...withoutState } = REQUEST;
    const request = await post('requestComputerPartition', withoutState);
    assert.equal(request.status, 400);
    oneLine(request.body);
    const supply = await post('supplySupply', { url: 'http://sr', computer_id: 'computer' });
    assert.equal(supply.status, 400);
  });

  test('malformed or mistyped marshalled fields are 400 naming the field', async () => {
    for (const [field, value] of [['partition_parameter_xml', '<marshal><dictionary'], ['filter_xml', '<marshal><list id="i2"/></marshal>'],
      ['state', marshal('running')], ['partition_parameter_xml', '<marshal><object id="i2" module="os" class="system"><tuple/><dictionary id="i3"/></object></marshal>']] as const) {
      const response = await post('requestComputerPartition', { ...REQUEST, [field]: value });
      assert.equal(response.status, 400, `${field}=${value}`);
      assert.match(response.body, new RegExp(field));
      oneLine(response.body);
    }
    const format = await post('loadComputerConfigurationFromXML', { xml: marshal({ partition_list: [] }) });
    assert.equal(format.status, 400);
    assert.match(format.body, /no reference/);
    const supply = await post('supplySupply', { url: 'http://sr', computer_id: 'computer', state: 'installed' });
    assert.equal(supply.status, 400);
  });

  test('unknown computer and partition are 404; no room is 404', async () => {
    assert.equal((await get('/getFullComputerInformation?computer_id=nope')).status, 404);
    assert.equal((await get('/registerComputerPartition?computer_reference=computer&computer_partition_reference=slappart9')).status, 404);
    assert.equal((await post('requestComputerPartition', REQUEST)).status, 200);
    const full = await post('requestComputerPartition', { ...REQUEST, partition_reference: 'Second' });
    assert.equal(full.status, 404);
    assert.equal(full.body, 'No free computer partition found for: Second\n');
    const forwarded = await post('requestComputerPartition', { ...REQUEST, partition_reference: 'Elsewhere', filter_xml: marshal({ master_url: 'https://other.example/' }) });
    assert.equal(forwarded.status, 404);
  });

  test('unknown endpoints are 404, wrong methods 405, master-only endpoints 404', async () => {
    assert.equal((await get('/nothingHere')).status, 404);
    assert.equal((await get('/getHateoasUrl')).status, 404);
    const wrong = await get('/requestComputerPartition');
    assert.equal(wrong.status, 405);
    oneLine(wrong.body);
  });

  test('bodies over 10 MiB are 413; non-form bodies are 415', async () => {
    const big = await post('requestComputerPartition', { ...REQUEST, partition_parameter_xml: 'x'.repeat(10 * 1024 * 1024 + 1) });
    assert.equal(big.status, 413);
    oneLine(big.body);
    const response = await fetch(`${proxy.url}/requestComputerPartition`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 415);
  });

  test('random form bodies never make a 500', async () => {
    const field = fc.constantFrom(...Object.keys(REQUEST), 'computer_id', 'computer_partition_id', 'xml', 'url', 'state');
    const value = fc.oneof(fc.string(), fc.constantFrom('<marshal><none/></marshal>', '<marshal><dictionary id="i2"/></marshal>', '<marshal>', 'None', ''));
    const endpoint = fc.constantFrom('requestComputerPartition', 'loadComputerConfigurationFromXML', 'supplySupply', 'setComputerPartitionConnectionXml', 'destroyedComputerPartition', 'softwareInstanceRename', 'softwareInstanceBang');
    await fc.assert(fc.asyncProperty(endpoint, fc.dictionary(field, value), async (name, form) => {
      const response = await post(name, form);
      assert.ok(response.status < 500, `${name} ${JSON.stringify(form)} → ${response.status} ${response.body}`);
    }), { numRuns: 150 });
  });
});

describe('paths, queries and answers', () => {
  test('a doubled slash or a prefix still reaches the endpoint', async () => {
    for (const path of ['//getFullComputerInformation?computer_id=computer', '/some/prefix/getFullComputerInformation?computer_id=computer']) {
      const response = await get(path);
      assert.equal(response.status, 200, path);
      assert.equal(response.type, 'text/xml; charset=utf-8');
      assert.match(response.body, /^<marshal><object id="i2" module="slapos.slap.slap" class="Computer">/);
    }
  });

  test('small answers are the original words and documents', async () => {
    assert.equal((await post('computerBang', { computer_id: 'computer', message: 'x' })).body, '<marshal><string></string></marshal>');
    assert.equal((await get('/getComputerPartitionStatus?computer_id=computer&computer_partition_id=slappart0')).body, '<marshal><string>Not implemented.</string></marshal>');
    assert.equal((await get('/getComputerPartitionCertificate?computer_id=computer&computer_partition_id=slappart0')).body,
      '<marshal><dictionary id="i2"><string>certificate</string><string></string><string>key</string><string></string></dictionary></marshal>');
    assert.equal((await post('supplySupply', { url: "http://sr/it's.cfg", computer_id: 'computer', state: 'available' })).body, 'Supplied "http://sr/it\'s.cfg" to be available');
    assert.equal((await post('useComputer', {})).body, 'Ignored');
    assert.equal((await post('destroyedComputerPartition', { computer_id: 'computer', computer_partition_id: 'slappart7' })).body, "Unknown partition 'slappart7' on 'computer'");
    assert.equal((await get('/getSoftwareReleaseListFromSoftwareProduct?software_product_reference=none')).body, '<marshal><list id="i2"/></marshal>');
    assert.match((await get('/getRunId')).body, /^[A-Za-z0-9_-]{32}$/);
  });

  test('the fake apache frontend answers the backend URL itself', async () => {
    const response = await post('requestComputerPartition', {
      ...REQUEST,
      software_release: 'http://git.erp5.org/gitweb/slapos.git/blob_plain/HEAD:/software/apache-frontend/software.cfg',
      software_type: 'RootSoftwareInstance',
      shared_xml: marshal(true),
      partition_parameter_xml: marshal({ url: 'http://[::1]:8080/path' }),
    });
    assert.equal(response.status, 200);
    assert.match(response.body, /<string>_connection_dict<\/string><dictionary id="i4"><string>domain<\/string><string>\[::1\]:8080<\/string><string>secure_access<\/string><string>http:\/\/\[::1\]:8080\/path<\/string><\/dictionary>/);
  });
});
