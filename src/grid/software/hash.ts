import { createHash } from 'node:crypto';

/**
 * The directory name of a software release under software_root: lowercase hex
 * MD5 of the URL's UTF-8 bytes. Partitions find their software by the same hash.
 */
export function softwareUrlHash(url: string): string {
  return createHash('md5').update(url, 'utf8').digest('hex');
}
