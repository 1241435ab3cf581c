import { isAbsolute } from 'node:path';
import type { Slap } from '../slap/index.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';

/** `product.NAME` names a software product: the master knows its best release (1.x). */
const SOFTWARE_PRODUCT = /^product\.([\w.-]+)$/;

/** Schemes buildout can fetch a profile from; anything else is a typo, not a software release. */
const PROFILE_SCHEMES = new Set(['http:', 'https:', 'file:']);

/**
 * The software release URL a person means: an alias name from the client
 * configuration becomes its URL; a URL (http, https, file), an absolute path
 * or a `product.NAME` (see resolveSoftwareProduct) is taken as is. Anything
 * else is refused before the master is asked, because a mistyped URL would
 * otherwise be supplied or requested silently.
 */
export function resolveSoftwareRelease(nameOrUrl: string, aliases: ReadonlyMap<string, string>): string {
  const aliased = aliases.get(nameOrUrl);
  if (aliased !== undefined) {
    if (!isSoftwareReleaseUrl(aliased)) {
      throw new ClientError(CLIENT_ERROR_CODES.SOFTWARE_URL, `alias ${JSON.stringify(nameOrUrl)} points to ${JSON.stringify(aliased)}, which is not a URL`);
    }
    return aliased;
  }
  if (isSoftwareReleaseUrl(nameOrUrl) || SOFTWARE_PRODUCT.test(nameOrUrl)) return nameOrUrl;
  const known = aliases.size ? ` (known aliases: ${[...aliases.keys()].join(', ')})` : ' (no alias is configured)';
  const what = /^[A-Za-z_][\w-]*$/.test(nameOrUrl) ? 'unknown alias' : 'not a URL nor an absolute path';
  throw new ClientError(CLIENT_ERROR_CODES.SOFTWARE_URL, `software release ${JSON.stringify(nameOrUrl)}: ${what}${known}`);
}

/** True for an http(s) URL with a host, a file: URL, or an absolute path. */
export function isSoftwareReleaseUrl(value: string): boolean {
  if (isAbsolute(value)) return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (!PROFILE_SCHEMES.has(url.protocol)) return false;
  // `new URL('http:foo')` parses, with a host; demand the `//` people mean.
  return url.protocol === 'file:' || (/^https?:\/\//i.test(value) && url.hostname !== '');
}

/**
 * `product.NAME` becomes the best (first) software release the master lists
 * for that product; any other software release is returned unchanged. Only
 * reads from the master, so a refusal here has requested nothing.
 */
export async function resolveSoftwareProduct(slap: Slap, softwareRelease: string): Promise<string> {
  const product = SOFTWARE_PRODUCT.exec(softwareRelease)?.[1];
  if (product === undefined) return softwareRelease;
  const [best] = await slap.getSoftwareReleaseListFromSoftwareProduct({ softwareProductReference: product });
  if (best === undefined) throw new ClientError(CLIENT_ERROR_CODES.SOFTWARE_URL, `the master knows no software release of product ${JSON.stringify(product)}`);
  return best;
}
