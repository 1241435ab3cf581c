import { readFileSync } from 'node:fs';
import { machine } from 'node:os';

/** What a software-release entry in shadir says about the archive (0.32 format). */
export interface SoftwareCacheEntry {
  software_url: string;
  software_root: string;
  machine: string;
  os: string;
  sha512: string;
}

/** The platform an archive was built on; binaries are reused only on the same one. */
export interface BuildPlatform {
  machine: string;
  /** Python repr of `platform.linux_distribution()`, e.g. `('debian', '12.5', '')`. */
  os: string;
}

/**
 * The entry JSON text as the Python client writes it (json.dumps: `", "` and
 * `": "` separators, non-ASCII escaped), keeping the legacy `file`/`urlmd5`
 * placeholders that 0.32 nodes send. The signature covers exactly this text.
 */
export function entryJson(entry: SoftwareCacheEntry): string {
  return pythonJsonDumps({
    file: 'file',
    urlmd5: 'urlmd5',
    software_url: entry.software_url,
    software_root: entry.software_root,
    machine: entry.machine,
    os: entry.os,
    sha512: entry.sha512,
  });
}

/**
 * Parses one shadir entry and returns its sha512 when it describes an archive
 * usable here (same machine, OS, software URL and software_root, as 0.32
 * requires: binaries embed absolute paths); undefined otherwise.
 */
export function matchingSha512(json: string, wanted: Omit<SoftwareCacheEntry, 'sha512'>): string | undefined {
  let tags: unknown;
  try {
    tags = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof tags !== 'object' || tags === null) return undefined;
  const record = tags as Record<string, unknown>;
  for (const key of ['machine', 'os', 'software_url', 'software_root'] as const) {
    if (record[key] !== wanted[key]) return undefined;
  }
  const sha512 = record.sha512;
  return typeof sha512 === 'string' && /^[0-9a-f]{128}$/.test(sha512) ? sha512 : undefined;
}

/** Python's json.dumps for the strings, lists and flat objects shadir uses. */
export function pythonJsonDumps(value: string | string[] | Record<string, string>): string {
  if (typeof value === 'string') return asciiJsonString(value);
  if (Array.isArray(value)) return `[${value.map(asciiJsonString).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${asciiJsonString(k)}: ${asciiJsonString(v)}`).join(', ')}}`;
}

function asciiJsonString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** This machine's platform, described the way 0.32's Python 2 did (uname machine, linux_distribution()). */
export function currentPlatform(osRelease = readOptional('/etc/os-release'), debianVersion = readOptional('/etc/debian_version')): BuildPlatform {
  return { machine: machine(), os: distributionRepr(osRelease, debianVersion) };
}

/**
 * `str(platform.linux_distribution())` from the os-release data: Python 2 read
 * `/etc/debian_version` on Debian (full point release, empty id).
 */
function distributionRepr(osRelease: string, debianVersion: string): string {
  const field = (name: string): string => {
    const match = new RegExp(`^${name}=(.*)$`, 'm').exec(osRelease);
    return match ? match[1]!.trim().replace(/^"(.*)"$/, '$1') : '';
  };
  const id = field('ID');
  const version = id === 'debian' && debianVersion.trim() !== '' ? debianVersion.trim() : field('VERSION_ID');
  const codename = id === 'debian' ? '' : field('VERSION_CODENAME');
  return `(${pythonRepr(id)}, ${pythonRepr(version)}, ${pythonRepr(codename)})`;
}

function pythonRepr(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
