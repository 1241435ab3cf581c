import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marshal } from '../../src/slap/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createProxy, type ProxyServer } from '../../src/proxy/index.ts';

/**
 * Byte-exact documents: the scenario of slap-protocol.md §3.7 replayed with
 * a fixed clock must give the [HEAD] proxy's documents, byte for byte.
 */
const SR = 'https://lab.example/software.cfg';
let clock = 0;
let dir: string;
let server: ProxyServer;
let url: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slapos-proxy-wire-'));
  server = await createProxy({ databasePath: join(dir, 'proxy.db'), logger: silentLogger(), computerId: 'COMP-123', now: () => clock });
  url = await server.listen('127.0.0.1', 0);
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(endpoint: string, form: Record<string, string>): Promise<string> {
  const response = await fetch(`${url}/${endpoint}`, { method: 'POST', body: new URLSearchParams(form) });
  const body = await response.text();
  assert.equal(response.status, 200, `${endpoint}: ${body}`);
  return body;
}

function request(title: string, type: string, parameters: Record<string, string | number>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    software_release: SR, software_type: type, partition_reference: title,
    partition_parameter_xml: marshal(parameters), filter_xml: marshal({}), state: marshal(null), shared_xml: marshal(false), ...extra,
  };
}

/** The spec's examples are indented for reading; the wire has no whitespace between elements. */
function compact(xml: string): string {
  return xml.replace(/>\s+</g, '><').trim();
}

const REGULAR_ANSWER = `<marshal>
  <object id="i2" module="slapos.slap.slap" class="SoftwareInstance">
    <tuple/>
    <dictionary id="i3">
      <string>_connection_dict</string><dictionary id="i4"/>
      <string>_instance_guid</string><string>COMP-123-slappart0</string>
      <string>_parameter_dict</string>
      <dictionary id="i5">
        <string>port</string><string>8080</string>
        <string>timestamp</string><string>1700000000.25</string>
      </dictionary>
      <string>_requested_state</string><string>started</string>
      <string>connection_xml</string><none/>
      <string>ip_list</string>
      <list id="i6"><tuple><string>slaptap0</string><string>10.0.0.10</string></tuple></list>
      <string>slap_computer_id</string><string>COMP-123</string>
      <string>slap_computer_partition_id</string><string>slappart0</string>
      <string>slap_server_url</string><string>slap_server_url</string>
      <string>slap_software_release_url</string><string>https://lab.example/software.cfg</string>
      <string>slap_software_type</string><string>default</string>
    </dictionary>
  </object>
</marshal>`;

const SLAVE_ANSWER = `<marshal>
  <object id="i2" module="slapos.slap.slap" class="SoftwareInstance">
    <tuple/>
    <dictionary id="i3">
      <string>_connection_dict</string><dictionary id="i4"/>
      <string>_parameter_dict</string>
      <dictionary id="i5"><string>url</string><string>http://[2001:db8::1]:8080/</string></dictionary>
      <string>ip_list</string>
      <list id="i6"><tuple><string>slaptap0</string><string>10.0.0.10</string></tuple></list>
      <string>slap_computer_id</string><string>COMP-123</string>
      <string>slap_computer_partition_id</string><string>slappart0</string>
      <string>slap_server_url</string><string>slap_server_url</string>
      <string>slap_software_release_url</string><string>https://lab.example/software.cfg</string>
      <string>slap_software_type</string><string>default</string>
    </dictionary>
  </object>
</marshal>`;

function partitionXml(id: number, type: string, title: string, extraParameters: string, slaves: string, connection: string, ids: number[]): string {
  const [object, dict, connectionId, parameters, full, ipList, slaveList, release, releaseDict, instances] = ids;
  return `<object id="i${object}" module="slapos.slap.slap" class="ComputerPartition">
    <tuple><string>COMP-123</string><string>slappart${id}</string><none/></tuple>
    <dictionary id="i${dict}">
      <string>_computer_id</string><string>COMP-123</string>
      <string>_connection_dict</string>${connection.replace('ID', `i${connectionId}`)}
      <string>_instance_guid</string><string>COMP-123-slappart${id}</string>
      <string>_need_modification</string><int>1</int>
      <string>_parameter_dict</string>
      <dictionary id="i${parameters}">
        <string>full_address_list</string><list id="i${full}"/>
        <string>instance_title</string><string>${title}</string>
        <string>ip_list</string>
        <list id="i${ipList}"><tuple><string>slaptap${id}</string><string>10.0.0.1${id}</string></tuple></list>
        ${extraParameters}
        <string>slap_computer_id</string><string>COMP-123</string>
        <string>slap_computer_partition_id</string><string>slappart${id}</string>
        <string>slap_software_release_url</string><string>https://lab.example/software.cfg</string>
        <string>slap_software_type</string><string>${type}</string>
        <string>slave_instance_list</string>${slaves.replace('ID', `i${slaveList}`).replace('ID2', `i${slaveList + 1}`)}
        <string>timestamp</string><string>1700000000.25</string>
      </dictionary>
      <string>_partition_id</string><string>slappart${id}</string>
      <string>_request_dict</string><none/>
      <string>_requested_state</string><string>started</string>
      <string>_software_release_document</string>
      <object id="i${release}" module="slapos.slap.slap" class="SoftwareRelease">
        <tuple><string>https://lab.example/software.cfg</string><string>COMP-123</string></tuple>
        <dictionary id="i${releaseDict}">
          <string>_computer_guid</string><string>COMP-123</string>
          <string>_software_instance_list</string><list id="i${instances}"/>
          <string>_software_release</string><string>https://lab.example/software.cfg</string>
        </dictionary>
      </object>
    </dictionary>
  </object>`;
}

const FULL_INFORMATION = `<marshal>
  <object id="i2" module="slapos.slap.slap" class="Computer">
    <tuple><string>COMP-123</string></tuple>
    <dictionary id="i3">
      <string>_computer_id</string><string>COMP-123</string>
      <string>_computer_partition_list</string>
      <list id="i4">
        ${partitionXml(0, 'default', 'MyInstance',
          '<string>port</string><string>8080</string><string>root_instance_title</string><string>MyInstance</string>',
          `<list id="ID"><dictionary id="ID2"><string>slap_software_type</string><string>default</string><string>slave_reference</string><string>_myfrontend</string>
            <string>slave_title</string><string>_myfrontend</string><string>url</string><string>http://[2001:db8::1]:8080/</string></dictionary></list>`,
          '<dictionary id="ID"><string>url</string><string>http://10.0.0.10:8080/</string></dictionary>',
          [5, 6, 7, 8, 9, 10, 11, 13, 14, 15])}
        ${partitionXml(1, 'backend', 'backend',
          '<string>root_instance_title</string><string>MyInstance</string><string>size</string><string>small</string>',
          '<list id="ID"/>', '<dictionary id="ID"/>', [16, 17, 18, 19, 20, 21, 22, 23, 24, 25])}
      </list>
      <string>_software_release_list</string>
      <list id="i26">
        <object id="i27" module="slapos.slap.slap" class="SoftwareRelease">
          <tuple><string>https://lab.example/software.cfg</string><string>COMP-123</string></tuple>
          <dictionary id="i28">
            <string>_computer_guid</string><string>COMP-123</string>
            <string>_requested_state</string><string>available</string>
            <string>_software_instance_list</string><list id="i29"/>
            <string>_software_release</string><string>https://lab.example/software.cfg</string>
          </dictionary>
        </object>
      </list>
    </dictionary>
  </object>
</marshal>`;

test('the §3.7 scenario gives the [HEAD] documents byte for byte', async () => {
  await post('loadComputerConfigurationFromXML', {
    xml: marshal({
      reference: 'COMP-123', address: '10.0.0.1', netmask: '255.255.255.0',
      partition_list: [0, 1].map((i) => ({ reference: `slappart${i}`, tap: { name: `slaptap${i}` }, address_list: [{ addr: `10.0.0.1${i}`, netmask: '255.255.255.0' }] })),
    }),
  });
  await post('supplySupply', { url: SR, computer_id: 'COMP-123', state: 'available' });
  clock = 1700000000.25;
  assert.equal(await post('requestComputerPartition', request('MyInstance', 'default', { port: 8080 })), compact(REGULAR_ANSWER));
  await post('requestComputerPartition', request('backend', 'backend', { size: 'small' }, { computer_id: 'COMP-123', computer_partition_id: 'slappart0' }));
  // The slave bumps its host's timestamp: the clock moves back to the same value for the comparison.
  clock = 1700000000.25 - 1;
  await post('setComputerPartitionConnectionXml', { computer_id: 'COMP-123', computer_partition_id: 'slappart0', connection_xml: marshal({ url: 'http://10.0.0.10:8080/' }), slave_reference: 'None' });
  const slave = await post('requestComputerPartition', request('myfrontend', 'default', { url: 'http://[2001:db8::1]:8080/' }, { shared_xml: marshal(true) }));
  assert.equal(slave, compact(SLAVE_ANSWER));
  const response = await fetch(`${url}/getFullComputerInformation?computer_id=COMP-123`);
  const body = await response.text();
  const normalised = body.replace(/<string>timestamp<\/string><string>[\d.]+<\/string>/g, '<string>timestamp</string><string>1700000000.25</string>');
  assert.equal(normalised, compact(FULL_INFORMATION), firstDifference(normalised, compact(FULL_INFORMATION)));
  // The slave bumped its host past the request's timestamp, never back in time.
  assert.match(body, /<string>slappart0<\/string><none\/><\/tuple>.*<string>timestamp<\/string><string>1700000000.251<\/string>/);
});

function firstDifference(actual: string, expected: string): string {
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  return `differs at ${i}: actual …${actual.slice(i - 40, i + 60)}… expected …${expected.slice(i - 40, i + 60)}…`;
}
