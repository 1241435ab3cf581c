import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigFile } from '../../src/config/index.ts';
import { MemorySink, Logger } from '../../src/log/index.ts';
import { readFormatOptions, type FormatOverrides } from '../../src/format/index.ts';

const BASE = `[slapos]
master_url = http://127.0.0.1:1
computer_id = COMP-1
instance_root = /srv/slapgrid
software_root = /opt/slapgrid

[slapformat]
computer_xml = /opt/slapos/slapos.xml
partition_amount = 3
interface_name = lo
ipv4_local_network = 10.0.0.0/16
`;

function read(text: string, overrides: FormatOverrides = {}, sink = new MemorySink()) {
  return readFormatOptions(ConfigFile.parse(text, '/etc/opt/slapos/slapos.cfg'), overrides, new Logger({ sinks: [sink] }));
}

function withOption(option: string, value: string): string {
  return BASE.replace('[slapformat]\n', `[slapformat]\n${option} = ${value}\n`);
}

test('defaults, merging of [slapformat] over [slapos], and command line over both', () => {
  const options = read(BASE.replace('[slapformat]\n', '[slapformat]\ncomputer_id = COMP-2\n'), { alterUser: false, computerXml: 'relative.xml' });
  assert.equal(options.computerId, 'COMP-2');
  assert.equal(options.partitionAmount, 3);
  assert.equal(options.partitionBaseName, 'slappart');
  assert.equal(options.userBaseName, 'slapuser');
  assert.equal(options.softwareUser, 'slapsoft');
  assert.equal(options.ipv6Interface, 'lo');
  assert.equal(options.createTap, true);
  assert.equal(options.alterUser, false);
  assert.equal(options.alterNetwork, true);
  assert.equal(options.computerXml, `${process.cwd()}/relative.xml`);
});

test('deprecated bridge_name and no_bridge still work, with a warning', () => {
  const sink = new MemorySink();
  const options = read(BASE.replace('interface_name = lo', 'bridge_name = br0\nno_bridge = true'), {}, sink);
  assert.equal(options.interfaceName, 'br0');
  assert.equal(options.createTap, false);
  assert.match(sink.text(), /bridge_name option is deprecated/);
  assert.match(sink.text(), /no_bridge option is deprecated/);
});

test('bad input is refused with a message naming the option', () => {
  const cases: [string, string, RegExp][] = [
    [withOption('partition_amount', '0').replace('partition_amount = 3\n', ''), 'FORMAT_ERR_CONFIG', /partition_amount/],
    [BASE.replace('partition_amount = 3', 'partition_amount = -2'), 'FORMAT_ERR_CONFIG', /partition_amount/],
    [BASE.replace('partition_amount = 3', 'partition_amount = two'), 'FORMAT_ERR_CONFIG', /partition_amount/],
    [BASE.replace('10.0.0.0/16', '10.0.0.0/33'), 'FORMAT_ERR_CONFIG', /ipv4_local_network/],
    [BASE.replace('10.0.0.0/16', 'fd00::/64'), 'FORMAT_ERR_CONFIG', /ipv4_local_network/],
    [BASE.replace('10.0.0.0/16', '10.0.0.0'), 'FORMAT_ERR_CONFIG', /ipv4_local_network/],
    [withOption('partition_base_name', '../etc'), 'FORMAT_ERR_CONFIG', /partition_base_name/],
    [withOption('user_base_name', 'Slap User'), 'FORMAT_ERR_CONFIG', /user_base_name/],
    [withOption('user_base_name', 'root;rm'), 'FORMAT_ERR_CONFIG', /user_base_name/],
    [withOption('tap_base_name', 'averyveryverylongtap'), 'FORMAT_ERR_CONFIG', /tap_base_name/],
    [withOption('software_user', '-r'), 'FORMAT_ERR_CONFIG', /software_user/],
    [withOption('alter_user', 'yes'), 'FORMAT_ERR_CONFIG', /alter_user/],
    [BASE.replace('interface_name = lo', 'interface_name = a/b'), 'FORMAT_ERR_CONFIG', /interface_name/],
    [BASE.replace('interface_name = lo\n', ''), 'FORMAT_ERR_CONFIG', /interface_name.*alter_network/],
    [BASE.replace('computer_id = COMP-1\n', ''), 'FORMAT_ERR_CONFIG', /computer_id/],
    [BASE.replace('computer_xml = /opt/slapos/slapos.xml\n', ''), 'FORMAT_ERR_CONFIG', /computer_xml/],
    [BASE.slice(0, BASE.indexOf('[slapformat]')), 'FORMAT_ERR_CONFIG', /\[slapformat\]/],
    [withOption('key_file', '/nonexistent/key.pem'), 'FORMAT_ERR_CONFIG', /key_file/],
    [withOption('log_file', '/nonexistent/dir/format.log'), 'FORMAT_ERR_CONFIG', /log_file/],
  ];
  for (const [text, code, message] of cases) assert.throws(() => read(text), { code, message }, message.source);
});

test('non-root mode needs no interface', () => {
  const options = read(BASE.replace('interface_name = lo\n', 'alter_network = false\nalter_user = False\n'));
  assert.equal(options.interfaceName, undefined);
  assert.equal(options.alterNetwork, false);
});
