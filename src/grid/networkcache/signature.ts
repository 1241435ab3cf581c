import { X509Certificate, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '../../log/index.ts';
import { NetworkcacheErrorCode, networkcacheError } from './errors.ts';

/**
 * shadir entry signatures as slapos.libnetworkcache makes them: RSA with SHA-1
 * over the exact entry JSON text, base64-encoded (line breaks tolerated).
 */
const DIGEST = 'sha1';

export function loadSignatureKey(path: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(path));
  } catch (error) {
    throw networkcacheError(NetworkcacheErrorCode.KEY, `cannot load signature private key ${path}: ${(error as Error).message}`, error);
  }
}

export function signEntry(entryJson: string, key: KeyObject): string {
  return sign(DIGEST, Buffer.from(entryJson, 'utf8'), key).toString('base64');
}

/**
 * Parses the trusted uploader certificates; an unreadable one is skipped with a
 * log line, as the original client does, so that one bad entry in
 * signature-certificate-list does not disable the cache.
 */
export function loadCertificates(pems: string[], logger: Logger): X509Certificate[] {
  const certificates: X509Certificate[] = [];
  for (const pem of pems) {
    try {
      certificates.push(new X509Certificate(pem));
    } catch (error) {
      logger.info('Ignored wrong certificate in signature-certificate-list', { reason: (error as Error).message });
    }
  }
  return certificates;
}

/** True when `signature` is a valid signature of `entryJson` by one of `certificates`. */
export function isTrustedEntry(entryJson: string, signature: string, certificates: X509Certificate[]): boolean {
  if (signature.trim() === '') return false;
  const raw = Buffer.from(signature.replace(/\s+/g, ''), 'base64');
  const data = Buffer.from(entryJson, 'utf8');
  return certificates.some((certificate) => {
    try {
      return verify(DIGEST, data, certificate.publicKey, raw);
    } catch {
      return false;
    }
  });
}

/** Whether a private key belongs to one of the certificates (else its uploads could never be downloaded back). */
export function keyMatchesACertificate(key: KeyObject, certificates: X509Certificate[]): boolean {
  const spki = (publicKey: KeyObject): string => publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const mine = spki(createPublicKey(key));
  return certificates.some((certificate) => spki(certificate.publicKey) === mine);
}
