import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ConfigFile } from '../config/index.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';

/** Where the binary cache is, from a node configuration's `[networkcache]`. */
export interface BinaryCacheSettings {
  /** shadir, where entries are looked up. */
  dirUrl: string;
  /** shacache, where archives are; may be empty (a lookup does not download). */
  cacheUrl: string;
  /** `signature-certificate-list` as written (PEM certificates, concatenated); empty when unset. */
  signatureCertificates: string;
}

/** Reads `[networkcache]` of the node configuration at `path`; a lookup needs `download-binary-dir-url`. */
export function readBinaryCacheSettings(path: string): BinaryCacheSettings {
  if (!existsSync(path)) throw new ClientError(CLIENT_ERROR_CODES.CONFIG_NOT_FOUND, `configuration file does not exist: ${path} (give one with --cfg)`);
  const file = ConfigFile.load(path);
  const option = (name: string) => (file.hasSection('networkcache') && file.has('networkcache', name) ? file.getString('networkcache', name).trim() : '');
  const settings = {
    dirUrl: option('download-binary-dir-url'),
    cacheUrl: option('download-binary-cache-url'),
    signatureCertificates: option('signature-certificate-list'),
  };
  if (settings.dirUrl === '') throw new ClientError(CLIENT_ERROR_CODES.CACHE_LOOKUP, `${path}: no download-binary-dir-url in [networkcache], so there is no binary cache to ask`);
  return settings;
}

/** The platform an archive was built on, as a binary-cache entry records it (0.32 entries). */
export interface CachePlatform {
  machine: string;
  /** Python repr of the distribution tuple, e.g. `('debian', '12.5', '')`. */
  os: string;
}

/** One binary-cache entry of a software release, as `cache lookup` shows it. */
export interface CacheEntryRow {
  softwareUrl: string;
  softwareRoot: string;
  machine: string;
  os: string;
  sha512: string;
  /** Built on this machine's platform, so a node here could use it. */
  compatible: boolean;
  /** Its signature matches a trusted certificate; undefined when no certificate is configured. */
  verified: boolean | undefined;
}

/** The shadir key of a software release: the MD5 of its URL, or the MD5 itself when one is given. */
export function binaryCacheKey(softwareUrlOrMd5: string): string {
  if (/^[0-9a-f]{32}$/.test(softwareUrlOrMd5)) return softwareUrlOrMd5;
  return createHash('md5').update(softwareUrlOrMd5, 'utf8').digest('hex');
}

/**
 * Reads shadir's signed entries for one key into rows, marking which ones this
 * machine could use and which ones are signed by a trusted uploader. Entries
 * that are not JSON objects are dropped: they cannot be software archives.
 */
export function describeCacheEntries(entries: readonly (readonly [string, string])[], here: CachePlatform,
  isTrusted?: (json: string, signature: string) => boolean): CacheEntryRow[] {
  const rows: CacheEntryRow[] = [];
  for (const [json, signature] of entries) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      continue;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
    const tags = parsed as Record<string, unknown>;
    const text = (key: string) => (typeof tags[key] === 'string' ? tags[key] : Array.isArray(tags[key]) ? JSON.stringify(tags[key]) : '');
    rows.push({
      softwareUrl: text('software_url'),
      softwareRoot: text('software_root'),
      machine: text('machine') || text('multiarch'),
      os: text('os'),
      sha512: text('sha512'),
      compatible: text('machine') === here.machine && text('os') === here.os,
      verified: isTrusted === undefined ? undefined : isTrusted(json, signature),
    });
  }
  return rows.sort((a, b) => `${a.machine} ${a.os}`.localeCompare(`${b.machine} ${b.os}`));
}

/** A plain table, one line per entry, for a person's terminal. */
export function formatCacheTable(rows: readonly CacheEntryRow[]): string {
  const header = ['machine', 'os', 'software_root', 'compatible?', 'verified?', 'sha512'];
  const yesNo = (value: boolean | undefined) => (value === undefined ? '-' : value ? 'yes' : 'no');
  const lines = rows.map((row) => [row.machine, row.os, row.softwareRoot, yesNo(row.compatible), yesNo(row.verified), row.sha512.slice(0, 16)]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const render = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('\n') + '\n';
}
