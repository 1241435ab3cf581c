import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a throw-away PKI: a CA, a server certificate for 127.0.0.1, a client certificate. */
export interface TestPki {
  dir: string;
  caCert: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  /** A second CA that signed nothing here. */
  otherCaCert: string;
  remove(): void;
}

/** Builds the PKI with the real openssl command (EC keys: fast to generate). */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'slap-tls-'));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const key = (name: string): void => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path(name));
  const selfSigned = (keyName: string, certName: string, subject: string): void =>
    openssl('req', '-x509', '-new', '-key', path(keyName), '-subj', subject, '-days', '2', '-out', path(certName));
  const signed = (keyName: string, certName: string, subject: string, extensions: string): void => {
    openssl('req', '-new', '-key', path(keyName), '-subj', subject, '-out', path(`${certName}.csr`));
    writeFileSync(path(`${certName}.ext`), extensions);
    openssl('x509', '-req', '-in', path(`${certName}.csr`), '-CA', path('ca.crt'), '-CAkey', path('ca.key'),
      '-CAcreateserial', '-days', '2', '-extfile', path(`${certName}.ext`), '-out', path(certName));
  };
  key('ca.key');
  selfSigned('ca.key', 'ca.crt', '/CN=test CA');
  key('other-ca.key');
  selfSigned('other-ca.key', 'other-ca.crt', '/CN=other CA');
  key('server.key');
  signed('server.key', 'server.crt', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  key('client.key');
  signed('client.key', 'client.crt', '/CN=COMP-123', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caCert: path('ca.crt'),
    serverKey: path('server.key'),
    serverCert: path('server.crt'),
    clientKey: path('client.key'),
    clientCert: path('client.crt'),
    otherCaCert: path('other-ca.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
