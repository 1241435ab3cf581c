import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildoutError, BuildoutErrorCode } from './errors.ts';
import { messageOf } from '../errors/index.ts';

/** `scheme://…` as zc.buildout recognises URLs. */
export function isUrl(location: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location);
}

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export interface DownloadOptions {
  /** No network: only local files and cached copies. */
  offline: boolean;
  /** Cache directory; a cached copy is named by the MD5 of the URL. */
  cache?: string | undefined;
  /** Re-download a cached copy first, keeping the cached one if that fails (buildout's "newest"). */
  refresh?: boolean;
  /** Expected MD5 of the content; checked also for cached copies. */
  md5sum?: string | undefined;
  /** What is being downloaded, for messages ("extends", "template"...). */
  purpose?: string;
}

/**
 * Reads a local path, a file: URL or an http(s) URL with buildout's download
 * rules: offline refuses the network but still uses the cache, checksums are
 * always verified.
 */
export async function download(location: string, options: DownloadOptions): Promise<Buffer> {
  const content = isUrl(location) && !location.startsWith('file://')
    ? await downloadUrl(location, options)
    : readLocal(location.startsWith('file://') ? fileURLToPath(location) : location, options);
  if (options.md5sum && md5Hex(content) !== options.md5sum.toLowerCase()) {
    throw new BuildoutError(BuildoutErrorCode.CHECKSUM, isUrl(location)
      ? `MD5 checksum mismatch downloading '${location}'`
      : `MD5 checksum mismatch for local resource at '${location}'.`);
  }
  return content;
}

function readLocal(path: string, options: DownloadOptions): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new BuildoutError(BuildoutErrorCode.DOWNLOAD, `Couldn't read ${options.purpose ?? 'file'} '${path}': ${messageOf(error)}`, { cause: error });
  }
}

async function downloadUrl(url: string, options: DownloadOptions): Promise<Buffer> {
  const cached = options.cache === undefined ? undefined : join(options.cache, md5Hex(url));
  if (cached !== undefined && existsSync(cached)) {
    if (options.refresh && !options.offline) {
      try {
        storeAtomically(cached, await httpGet(url, options));
      } catch (error) {
        // A stale cached copy beats no copy: refreshing is best effort.
        void error;
      }
    }
    return readFileSync(cached);
  }
  if (options.offline) {
    throw new BuildoutError(BuildoutErrorCode.OFFLINE, `Couldn't download '${url}' in offline mode.`);
  }
  const content = await httpGet(url, options);
  if (cached !== undefined) {
    if (!existsSync(options.cache!)) {
      throw new BuildoutError(BuildoutErrorCode.DOWNLOAD, `The directory:\n'${options.cache}'\nto be used as a download cache doesn't exist.`);
    }
    storeAtomically(cached, content);
  }
  return content;
}

async function httpGet(url: string, options: DownloadOptions): Promise<Buffer> {
  const what = options.purpose === 'extends' ? 'extends for URL' : 'URL';
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (error) {
    throw new BuildoutError(BuildoutErrorCode.DOWNLOAD, `Error downloading ${what} ${url}: ${messageOf((error as { cause?: unknown }).cause ?? error)}`, { cause: error });
  }
  if (!response.ok) {
    throw new BuildoutError(BuildoutErrorCode.DOWNLOAD, `Error downloading ${what} ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  return Buffer.from(await response.arrayBuffer());
}

function storeAtomically(path: string, content: Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** Creates a directory (and parents) if missing. */
export function ensureDirectory(path: string): void {
  mkdirSync(path, { recursive: true });
}
