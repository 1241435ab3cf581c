import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SigningIdentity {
  keyFile: string;
  certificate: string;
}

/** An RSA key and its self-signed certificate, made by openssl as a SlapOS operator would. */
export async function makeSigningIdentity(dir: string, name: string): Promise<SigningIdentity> {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
    '-subj', `/CN=${name}`, '-days', '2']);
  return { keyFile, certificate: await readFile(certFile, 'utf8') };
}

/** A PEM as a slapos.cfg multi-line value (continuation lines indented). */
export function cfgMultiline(text: string): string {
  return text.trim().split('\n').map((line) => `\n  ${line}`).join('');
}
