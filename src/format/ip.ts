/**
 * IPv4/IPv6 arithmetic slapformat needs: parsing, canonical text, netmasks
 * and networks. Addresses are held as bigint so one code path serves both
 * families.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Network {
  family: Family;
  /** First address of the network (host bits cleared). */
  base: bigint;
  prefixlen: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function familyOf(address: string): Family | undefined {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  return undefined;
}

export function parseAddress(address: string): { family: Family; value: bigint } {
  const family = familyOf(address);
  if (family === 4) return { family, value: address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n) };
  if (family === 6) return { family, value: parseIPv6(address) };
  throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
}

function parseIPv6(address: string): bigint {
  let text = address;
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseAddress(dotted[1]!).value;
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** Canonical text: dotted quad, or RFC 5952 compressed lowercase IPv6. */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not compressed
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i += 1; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** `10.0.0.0/16` → a Network; undefined when the text is not a valid CIDR. */
export function parseCidr(text: string): Network | undefined {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return undefined;
  const family = familyOf(match[1]!);
  if (family === undefined) return undefined;
  const prefixlen = Number(match[2]);
  if (prefixlen > BITS[family]) return undefined;
  return { family, base: parseAddress(match[1]!).value & maskBits(family, prefixlen), prefixlen };
}

function maskBits(family: Family, prefixlen: number): bigint {
  const bits = BigInt(BITS[family]);
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefixlen))) & all;
}

/** `24` → `255.255.255.0`; `64` → `ffff:ffff:ffff:ffff::`. */
export function prefixToNetmask(family: Family, prefixlen: number): string {
  return formatAddress(family, maskBits(family, prefixlen));
}

/** The inverse of prefixToNetmask; undefined for a non-contiguous or invalid mask. */
export function netmaskToPrefix(netmask: string): number | undefined {
  const family = familyOf(netmask);
  if (family === undefined) return undefined;
  const value = parseAddress(netmask).value;
  for (let prefixlen = 0; prefixlen <= BITS[family]; prefixlen += 1) {
    if (maskBits(family, prefixlen) === value) return prefixlen;
  }
  return undefined;
}

export function networkOf(address: string, prefixlen: number): Network {
  const { family, value } = parseAddress(address);
  return { family, base: value & maskBits(family, prefixlen), prefixlen };
}

export function contains(network: Network, address: string): boolean {
  const parsed = parseAddress(address);
  return parsed.family === network.family && (parsed.value & maskBits(network.family, network.prefixlen)) === network.base;
}

/** Number of addresses in the network. */
export function sizeOf(network: Network): bigint {
  return 1n << BigInt(BITS[network.family] - network.prefixlen);
}

/** The address at `offset` from the network's first address, as text. */
export function addressAt(network: Network, offset: bigint): string {
  return formatAddress(network.family, network.base + offset);
}

export function formatCidr(network: Network): string {
  return `${formatAddress(network.family, network.base)}/${network.prefixlen}`;
}

/**
 * Global scope as the original understands it (unicast, not link-local,
 * loopback or reserved): in practice global unicast 2000::/3 and unique
 * local fc00::/7 for IPv6; for IPv4 anything but 127/8, 169.254/16 and
 * multicast/reserved 224/3.
 */
export function isGlobalScope(address: string): boolean {
  const bare = address.split('%')[0]!;
  const family = familyOf(bare);
  if (family === undefined) return false;
  const value = parseAddress(bare).value;
  if (family === 6) return value >> 125n === 1n || value >> 121n === 0x7en;
  const first = Number(value >> 24n);
  return first !== 127 && first !== 0 && first < 224 && Number(value >> 16n) !== (169 << 8) + 254;
}

/** One spelling per address (`2001:DB8:0::1` → `2001:db8::1`), a `%zone` suffix dropped. */
export function canonicalAddress(address: string): string {
  const { family, value } = parseAddress(address.split('%')[0]!);
  return formatAddress(family, value);
}
