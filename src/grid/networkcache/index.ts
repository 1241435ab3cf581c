export { NetworkcacheClient } from './client.ts';
export type { NetworkcacheEndpoints, SignedEntry, TlsFiles } from './client.ts';
export { downloadSoftwareArchive, uploadSoftwareArchive, downloadUse, uploadUse } from './binary-cache.ts';
export type { BinaryCacheOptions, CachedSoftware, CacheUse } from './binary-cache.ts';
export { entryJson, matchingSha512, currentPlatform, pythonJsonDumps } from './entry.ts';
export type { SoftwareCacheEntry, BuildPlatform } from './entry.ts';
export { signEntry, isTrustedEntry, loadCertificates, loadSignatureKey } from './signature.ts';
export { NetworkcacheErrorCode } from './errors.ts';
