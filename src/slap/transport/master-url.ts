import { isIPv6 } from 'node:net';
import { invalidOption } from '../errors.ts';

/**
 * The master URL as the transport uses it: always ending in `/`, so that an
 * endpoint name resolves *below* its path (`http://h/prefix` +
 * `getFullComputerInformation` → `http://h/prefix/getFullComputerInformation`),
 * as the 1.x Python client does. The 0.32 client concatenated strings and
 * produced `//endpoint` for a URL ending in `/`; servers tolerate both.
 */
export function parseMasterUrl(masterUrl: string): URL {
  let url: URL;
  try {
    url = new URL(bracketIpv6Host(masterUrl));
  } catch (cause) {
    throw invalidOption('masterUrl', `${JSON.stringify(masterUrl)} is not a URL`, cause);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidOption('masterUrl', `${JSON.stringify(masterUrl)}: only http and https are supported`);
  }
  // A query or fragment would be silently dropped by endpoint resolution.
  if (url.search !== '' || url.hash !== '') {
    throw invalidOption('masterUrl', `${JSON.stringify(masterUrl)} must not have a query or fragment`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** The absolute URL of `endpoint` (relative names resolve below the master URL's path). */
export function endpointUrl(base: URL, endpoint: string): URL {
  return new URL(endpoint, base);
}

/**
 * slapos.cfg files in the field hold master URLs such as
 * `http://fe80:1234:1234:1234:1:1:1:1:5000/` (an IPv6 literal without
 * brackets). Like the 1.x client, add the brackets: the whole host part is
 * tried as an address first, then everything before the last `:` (the rest
 * being the port).
 */
export function bracketIpv6Host(url: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(url);
  if (match === null) return url;
  const [, scheme, host, rest] = match as unknown as [string, string, string, string];
  if (isIPv6(host)) return `${scheme}[${host}]${rest}`;
  const lastColon = host.lastIndexOf(':');
  const address = host.slice(0, lastColon);
  if (lastColon > 0 && isIPv6(address)) return `${scheme}[${address}]${host.slice(lastColon)}${rest}`;
  return url;
}
