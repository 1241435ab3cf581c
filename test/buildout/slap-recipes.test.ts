import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Slap, marshal, type MarshalDict } from '../../src/slap/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';
import { progress, run, workspace } from './helpers.ts';

const COMPUTER = 'computer';
const SR = 'https://lab.example/software.cfg';

let proxy: TestProxy;
let slap: Slap;

/** Three partitions; slappart0 has two IPv4 and one IPv6 address. */
function computerDescription(): string {
  const partition = (index: number, addresses: string[]): MarshalDict => ({
    reference: `slappart${index}`,
    tap: { name: 'slaptap0' },
    address_list: addresses.map((addr) => ({ addr, netmask: addr.includes(':') ? 'ffff:ffff:ffff:ffff::' : '255.255.255.0' })),
  });
  return marshal({
    reference: COMPUTER, address: '10.0.0.1', netmask: '255.255.255.0',
    partition_list: [partition(0, ['10.0.0.5', 'fd00::5', '10.0.0.10']), partition(1, ['10.0.0.11']), partition(2, ['10.0.0.12'])],
  });
}

before(async () => {
  proxy = await startTestProxy({ computerId: COMPUTER });
  slap = new Slap({ logger: silentLogger() });
  slap.initializeConnection(proxy.url);
  await slap.registerComputer(COMPUTER).updateConfiguration(computerDescription());
  await slap.registerSupply().supply(SR, COMPUTER);
  const root = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'root', partitionParameterKw: { name: 'x' } });
  assert.equal(root.getId(), 'slappart0');
});
after(async () => {
  await slap.close();
  await proxy.close();
});

const connection = (partition: string): string =>
  `[slap-connection]\nserver-url = ${proxy.url}\ncomputer-id = ${COMPUTER}\npartition-id = ${partition}\n`;

test('slapconfiguration: parameters, addresses and titles as (typed) options', async () => {
  const dir = workspace({
    'buildout.cfg': `[buildout]
parts = out
[slap-configuration]
recipe = slapos.cookbook:slapconfiguration
url = ${proxy.url}
computer = ${COMPUTER}
partition = slappart0
configuration.name = default
configuration.port = 80
[out]
recipe = slapos.recipe.template:jinja2
output = \${buildout:directory}/out
inline = {{ s['ipv4-random'] }}|{{ s['ipv6-random'] }}|{{ s['configuration.name'] }}|{{ s['configuration.port'] }}|{{ ipv4 | sort | join(",") }}|{{ "10.0.0.5" in ipv4 }}|{{ 'ip_list' in s.configuration }}|{{ s['instance-title'] }}|{{ s['slap-software-type'] }}|{{ s['instance-state'] }}
context =
  section s slap-configuration
  key ipv4 slap-configuration:ipv4
`,
  });
  await run(dir);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), '10.0.0.10|fd00::5|x|80|10.0.0.10,10.0.0.5|True|False|root|default|started');
  assert.deepEqual(progress((await run(dir)).log), ['Updating slap-configuration.', 'Updating out.']);
});

test('request / requestoptional / publish: missing connection parameters, then published ones reinstall dependants', async () => {
  const requestProfile = (recipe: string): string => `[buildout]
parts = show
${connection('slappart0')}
[req]
recipe = ${recipe}
server-url = \${slap-connection:server-url}
computer-id = \${slap-connection:computer-id}
partition-id = \${slap-connection:partition-id}
software-url = ${SR}
software-type = backend
name = child
config-size = 3
return = url
[show]
recipe = slapos.recipe.template
inline = url=\${req:connection-url} state=\${req:requested-state}
output = \${buildout:directory}/show
`;
  const parent = workspace({ 'buildout.cfg': requestProfile('slapos.cookbook:request') });
  await assert.rejects(run(parent), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'BUILDOUT_ERR_RECIPE');
    assert.match(error.message, /^Connection parameter url not found\. Status of requested instance is: started\. If this error persists/);
    return true;
  });
  writeFileSync(join(parent, 'buildout.cfg'), requestProfile('slapos.cookbook:requestoptional'));
  const optional = await run(parent);
  assert.match(optional.log, /Connection parameter url not found\. Requested instance is currently started/);
  assert.equal(readFileSync(join(parent, 'show'), 'utf8'), 'url= state=started');

  const child = await slap.registerComputerPartition(COMPUTER, 'slappart1');
  assert.equal(child.getInstanceParameter('size'), '3');
  assert.equal(child.getType(), 'backend');
  const publisher = workspace({
    'buildout.cfg': `[buildout]\nparts = publish\n${connection('slappart1')}\n[publish]\nrecipe = slapos.cookbook:publish\nurl = http://[fd00::6]:80/\n`,
  });
  await run(publisher);

  const after = await run(parent);
  assert.deepEqual(progress(after.log), ['Uninstalling show.', 'Uninstalling req.', 'Installing req.', 'Installing show.']);
  assert.equal(readFileSync(join(parent, 'show'), 'utf8'), 'url=http://[fd00::6]:80/ state=started');
});

test('request.serialised sends parameters as one JSON value and reads connection values from it', async () => {
  const profile = `[buildout]\nparts = show\n${connection('slappart0')}
[req]
recipe = slapos.cookbook:request.serialised
server-url = \${slap-connection:server-url}
computer-id = \${slap-connection:computer-id}
partition-id = \${slap-connection:partition-id}
software-url = ${SR}
software-type = backend
name = child
config-size = 4
return = n
[show]
recipe = slapos.recipe.template
inline = n=\${req:connection-n}
output = \${buildout:directory}/show
`;
  const parent = workspace({ 'buildout.cfg': profile });
  await assert.rejects(run(parent), /Connection parameter n not found/);
  const child = await slap.registerComputerPartition(COMPUTER, 'slappart1');
  assert.equal(child.getInstanceParameter('_'), '{"size": "4"}');
  const publisher = workspace({
    'buildout.cfg': `[buildout]\nparts = publish\n${connection('slappart1')}\n[publish]\nrecipe = slapos.cookbook:publish.serialised\nn = 5\n`,
  });
  await run(publisher);
  await run(parent);
  assert.equal(readFileSync(join(parent, 'show'), 'utf8'), 'n=5');
});

test('publish.serialised sends one JSON parameter; -extends sections are published too', async () => {
  const dir = workspace({
    'buildout.cfg': `[buildout]\nparts = publish\n${connection('slappart2')}\n[more]\nb = 2\n[publish]\nrecipe = slapos.cookbook:publish.serialised\n-extends = more\na = 1\n`,
  });
  await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'third' });
  await run(dir);
  const third = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'third' });
  assert.equal(third.getConnectionParameter('_'), '{"a": "1", "b": "2"}');
});
