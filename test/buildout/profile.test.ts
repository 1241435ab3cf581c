import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Slap, marshal } from '../../src/slap/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';
import { progress, run, workspace } from './helpers.ts';

const COMPUTER = 'computer';
const SR = 'https://lab.example/hello/software.cfg';
const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'buildout', 'hello');

let proxy: TestProxy;
let slap: Slap;

before(async () => {
  proxy = await startTestProxy({ computerId: COMPUTER });
  slap = new Slap({ logger: silentLogger() });
  slap.initializeConnection(proxy.url);
  await slap.registerComputer(COMPUTER).updateConfiguration(marshal({
    reference: COMPUTER, address: '10.0.0.1', netmask: '255.255.255.0',
    partition_list: [{ reference: 'slappart0', tap: { name: 'slaptap0' }, address_list: [{ addr: '10.0.0.5', netmask: '255.255.255.0' }, { addr: 'fd00::5', netmask: 'ffff:ffff:ffff:ffff::' }] }],
  }));
  await slap.registerSupply().supply(SR, COMPUTER);
  await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'hello', partitionParameterKw: { name: 'Jane' } });
});
after(async () => {
  await slap.close();
  await proxy.close();
});

test('a SlapOS-style software release and its instance profile run end to end, then rerun as a no-op', async () => {
  // Software run: renders instance.cfg from the release's template, as slapgrid-sr would.
  const software = workspace();
  writeFileSync(join(software, 'buildout.cfg'), `[buildout]\nextends = ${join(FIXTURE, 'software.cfg')}\n`);
  await run(software, ['-N']);
  const instanceProfile = readFileSync(join(software, 'instance.cfg'), 'utf8');
  assert.match(instanceProfile, new RegExp(`eggs-directory = ${join(software, 'eggs')}\n`));
  assert.match(instanceProfile, /command-line = \/bin\/echo \$\{:ipv6\}/);

  // Instance run: the buildout.cfg slapgrid-cp writes in the partition.
  const partition = workspace();
  writeFileSync(join(partition, 'buildout.cfg'), `[buildout]
extends = ${join(software, 'instance.cfg')}
bin-directory = \${buildout:directory}/sbin
offline = true

[slap-connection]
computer-id = ${COMPUTER}
partition-id = slappart0
server-url = ${proxy.url}
software-release-url = ${SR}
key-file =
cert-file =
`);
  const first = await run(partition, ['-U']);
  // Options are substituted in alphabetical order: config-file (→ directory, then the
  // context of hello-config) comes before url (→ helloweb).
  assert.deepEqual(progress(first.log), [
    'Installing directory.', 'Installing instance-parameter.', 'Installing hello-config.', 'Installing helloweb.', 'Installing publish-connection-parameter.',
  ]);
  const wrapper = join(partition, 'etc', 'service', 'helloweb');
  assert.equal(execFileSync(wrapper, { encoding: 'utf8' }), 'fd00::5 7777 Jane\n');
  assert.equal(readFileSync(join(partition, 'etc', 'hello.json'), 'utf8'), '{"name": "Jane", "ipv6": ["fd00::5"]}');
  const instance = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'hello', partitionParameterKw: { name: 'Jane' } });
  assert.equal(instance.getConnectionParameter('url'), 'http://[fd00::5]:7777');
  assert.equal(instance.getConnectionParameter('config-file'), join(partition, 'etc', 'hello.json'));

  const again = await run(partition, ['-U']);
  assert.deepEqual(progress(again.log), [
    'Updating directory.', 'Updating instance-parameter.', 'Updating hello-config.', 'Updating helloweb.', 'Updating publish-connection-parameter.',
  ]);

  // A new parameter on the master reaches the service and the rendered file on the next run.
  await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'hello', partitionParameterKw: { name: 'Joe' } });
  const changed = await run(partition, ['-U']);
  assert.ok(progress(changed.log).includes('Installing helloweb.'));
  assert.equal(execFileSync(wrapper, { encoding: 'utf8' }), 'fd00::5 7777 Joe\n');
  assert.equal(readFileSync(join(partition, 'etc', 'hello.json'), 'utf8'), '{"name": "Joe", "ipv6": ["fd00::5"]}');
});

test('switch-softwaretype runs the profile of the instance software type as a sub-buildout', async () => {
  await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'hello', partitionParameterKw: { name: 'Switch' } });
  const partition = workspace();
  writeFileSync(join(partition, 'buildout.cfg'), `[buildout]
parts = switch

[slap-connection]
computer-id = ${COMPUTER}
partition-id = slappart0
server-url = ${proxy.url}

[slap-configuration]
recipe = slapos.cookbook:slapconfiguration
url = \${slap-connection:server-url}
computer = \${slap-connection:computer-id}
partition = \${slap-connection:partition-id}

[instance-default]
recipe = slapos.recipe.template
output = \${buildout:directory}/instance-default.cfg
inline =
  [buildout]
  parts = greeting
  [slap-configuration]
  recipe = slapos.cookbook:slapconfiguration
  url = http://unused.invalid/
  [greeting]
  recipe = slapos.recipe.template:jinja2
  output = $\${buildout:directory}/greeting
  context = key ipv6 slap-configuration:ipv6
  inline = hello $\${slap-configuration:configuration.name} {{ ipv6 | list }}

[switch]
recipe = slapos.cookbook:switch-softwaretype
default = instance-default:output
`);
  const first = await run(partition);
  assert.deepEqual(progress(first.log), ['Installing slap-configuration.', 'Installing instance-default.', 'Installing switch.', 'Installing slap-configuration.', 'Installing greeting.']);
  assert.equal(readFileSync(join(partition, 'greeting'), 'utf8'), "hello Switch ['fd00::5']");
  assert.match(readFileSync(join(partition, '.installed-switch.cfg'), 'utf8'), /^parts = slap-configuration greeting$/m);
  const again = await run(partition);
  assert.deepEqual(progress(again.log), ['Updating slap-configuration.', 'Updating instance-default.', 'Updating switch.', 'Updating slap-configuration.', 'Updating greeting.']);
});
