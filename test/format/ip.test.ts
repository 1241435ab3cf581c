import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressAt, contains, formatAddress, isGlobalScope, netmaskToPrefix, parseAddress, parseCidr, prefixToNetmask } from '../../src/format/ip.ts';

test('IPv6 text is canonical (RFC 5952) whatever the input spelling', () => {
  for (const [input, canonical] of [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
  ]) {
    const { family, value } = parseAddress(input!);
    assert.equal(formatAddress(family, value), canonical, input);
  }
});

test('netmasks and prefixes convert both ways', () => {
  assert.equal(prefixToNetmask(4, 32), '255.255.255.255');
  assert.equal(prefixToNetmask(4, 16), '255.255.0.0');
  assert.equal(prefixToNetmask(6, 64), 'ffff:ffff:ffff:ffff::');
  assert.equal(netmaskToPrefix('ffff:ffff:ffff:ffff::'), 64);
  assert.equal(netmaskToPrefix('255.255.255.0'), 24);
  assert.equal(netmaskToPrefix('255.0.255.0'), undefined);
});

test('CIDR parsing rejects what is not a network', () => {
  assert.deepEqual(parseCidr('10.1.2.3/16'), { family: 4, base: parseAddress('10.1.0.0').value, prefixlen: 16 });
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', 'x/8', '10.0.0.0/-1', '']) assert.equal(parseCidr(bad), undefined, bad);
  const network = parseCidr('fd00::/64')!;
  assert.equal(addressAt(network, 2n), 'fd00::2');
  assert.ok(contains(network, 'fd00::ffff'));
  assert.ok(!contains(network, 'fd00:0:0:1::1'));
});

test('global scope excludes loopback, link-local and multicast', () => {
  for (const address of ['2001:db8::1', 'fd00::1', '10.0.0.1']) assert.ok(isGlobalScope(address), address);
  for (const address of ['::1', 'fe80::1%eth0', 'ff02::1', '127.0.0.1', '169.254.1.1']) assert.ok(!isGlobalScope(address), address);
});
