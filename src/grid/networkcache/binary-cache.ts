import type { Logger } from '../../log/index.ts';
import { messageOf } from '../../errors/index.ts';
import type { NetworkcacheConfig } from '../node-config.ts';
import { NetworkcacheClient } from './client.ts';
import { currentPlatform, entryJson, matchingSha512, type BuildPlatform } from './entry.ts';
import { isTrustedEntry, keyMatchesACertificate, loadCertificates, loadSignatureKey, signEntry } from './signature.ts';

/** One software release as the binary cache knows it. */
export interface CachedSoftware {
  url: string;
  softwareRoot: string;
  /** shadir key: the md5 of the URL. */
  hash: string;
}

export interface BinaryCacheOptions {
  config: NetworkcacheConfig;
  logger: Logger;
  /** The platform archives must match (default: this machine). */
  platform?: BuildPlatform;
}

/** The servers to use, or why the binary cache is not used for this release. */
export type CacheUse = { cacheUrl: string; dirUrl: string } | { skip: string };

/** Where to download `software` from, unless download is not configured or the URL is blacklisted. */
export function downloadUse(config: NetworkcacheConfig, software: CachedSoftware): CacheUse {
  return cacheUse(config.downloadBinaryCacheUrl, config.downloadBinaryDirUrl, config.downloadFromBinaryCacheUrlBlacklist, software, 'download');
}

/** Where to upload `software` to, unless upload is not configured or the URL is blacklisted. */
export function uploadUse(config: NetworkcacheConfig, software: CachedSoftware): CacheUse {
  return cacheUse(config.uploadBinaryCacheUrl, config.uploadBinaryDirUrl, config.uploadToBinaryCacheUrlBlacklist, software, 'upload');
}

function cacheUse(cacheUrl: string | undefined, dirUrl: string | undefined, blacklist: string[], software: CachedSoftware, what: string): CacheUse {
  if (!cacheUrl || !dirUrl) return { skip: `binary cache ${what} is not configured` };
  if (!software.url || !software.softwareRoot) return { skip: 'no software URL or software_root' };
  if (blacklist.some((prefix) => software.url.startsWith(prefix))) return { skip: `the URL is blacklisted for ${what}` };
  return { cacheUrl, dirUrl };
}

/**
 * Looks the release up in shadir and downloads the first trusted, matching
 * archive to `destination`. Every failure (unreachable server, untrusted or
 * foreign entries, checksum mismatch) is logged and answered with false, so
 * that the caller builds the release itself, as the original does.
 */
export async function downloadSoftwareArchive(options: BinaryCacheOptions, software: CachedSoftware, destination: string): Promise<boolean> {
  const { config, logger } = options;
  const use = downloadUse(config, software);
  if ('skip' in use) {
    logger.debug(`Not using the binary cache: ${use.skip}`, { url: software.url });
    return false;
  }
  const platform = options.platform ?? currentPlatform();
  const client = new NetworkcacheClient(use);
  try {
    logger.info(`Looking up ${software.url} in the binary cache`, { key: software.hash });
    const certificates = config.signatureCertificateList === undefined ? undefined : loadCertificates(config.signatureCertificateList, logger);
    const wanted = { software_url: software.url, software_root: software.softwareRoot, machine: platform.machine, os: platform.os };
    let untrusted = 0;
    for (const [json, signature] of await client.selectEntries(software.hash)) {
      // no certificate list configured → no signature check, as the original
      if (certificates !== undefined && certificates.length > 0 && !isTrustedEntry(json, signature, certificates)) {
        untrusted++;
        continue;
      }
      const sha512 = matchingSha512(json, wanted);
      if (sha512 === undefined) continue;
      await client.download(sha512, destination);
      logger.info(`Downloaded ${software.url} from the binary cache`, { sha512 });
      return true;
    }
    logger.info(`No usable archive of ${software.url} in the binary cache`, { untrustedEntries: untrusted });
    return false;
  } catch (error) {
    logger.warn(`Binary cache download of ${software.url} failed, building instead: ${messageOf(error)}`, { code: (error as { code?: unknown }).code });
    return false;
  } finally {
    await client.close();
  }
}

/**
 * Uploads an archive of a built release to shacache and publishes a signed
 * entry in shadir. Failures are logged and answered with false: a failed
 * upload never fails the build.
 */
export async function uploadSoftwareArchive(options: BinaryCacheOptions, software: CachedSoftware, archive: string): Promise<boolean> {
  const { config, logger } = options;
  const use = uploadUse(config, software);
  if ('skip' in use) {
    logger.debug(`Not uploading to the binary cache: ${use.skip}`, { url: software.url });
    return false;
  }
  const platform = options.platform ?? currentPlatform();
  const client = new NetworkcacheClient({
    ...use,
    cacheTls: { certFile: config.shacacheCertFile, keyFile: config.shacacheKeyFile },
    dirTls: { certFile: config.shadirCertFile, keyFile: config.shadirKeyFile },
  });
  try {
    const key = config.signaturePrivateKeyFile ? loadSignatureKey(config.signaturePrivateKeyFile) : undefined;
    if (key && config.signatureCertificateList && config.downloadBinaryDirUrl
      && !keyMatchesACertificate(key, loadCertificates(config.signatureCertificateList, logger))) {
      logger.warn('The signature private key matches no certificate of signature-certificate-list: this upload will never be downloaded back');
    }
    logger.info(`Uploading ${software.url} to the binary cache`, { key: software.hash });
    const sha512 = await client.upload(archive);
    const json = entryJson({ software_url: software.url, software_root: software.softwareRoot, machine: platform.machine, os: platform.os, sha512 });
    await client.index(software.hash, [json, key ? signEntry(json, key) : '']);
    logger.info(`Uploaded ${software.url} to the binary cache`, { sha512 });
    return true;
  } catch (error) {
    logger.warn(`Binary cache upload of ${software.url} failed: ${messageOf(error)}`, { code: (error as { code?: unknown }).code });
    return false;
  } finally {
    await client.close();
  }
}
