import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySink, Logger } from '../../../src/log/index.ts';
import { downloadSoftwareArchive, uploadSoftwareArchive } from '../../../src/grid/index.ts';
import { readNodeConfig, type NetworkcacheConfig } from '../../../src/grid/index.ts';
import { ConfigFile } from '../../../src/config/index.ts';
import { publishArchive, startCacheServer, type TestCacheServer } from './cache-server.ts';
import { cfgMultiline, makeSigningIdentity, type SigningIdentity } from './signing.ts';

describe('binary cache download decisions (against a loopback shacache/shadir)', () => {
  let dir: string;
  let server: TestCacheServer;
  let trusted: SigningIdentity;
  let stranger: SigningIdentity;
  const softwareRoot = '/opt/slapgrid';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slapos-test-download-'));
    [server, trusted, stranger] = await Promise.all([startCacheServer(), makeSigningIdentity(dir, 'trusted'), makeSigningIdentity(dir, 'stranger')]);
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The [networkcache] options as slapos.cfg gives them (read through the real parser). */
  function cacheConfig(extra = ''): NetworkcacheConfig {
    const text = `[slapos]\nmaster_url = http://127.0.0.1:1\ncomputer_id = c\nsoftware_root = ${softwareRoot}\ninstance_root = /srv\n`
      + `[networkcache]\ndownload-binary-cache-url = ${server.cacheUrl}\ndownload-binary-dir-url = ${server.dirUrl}\n`
      + `signature-certificate-list = ${cfgMultiline(trusted.certificate)}\n${extra}`;
    return readNodeConfig(ConfigFile.parse(text, 'slapos.cfg')).networkcache;
  }
  function attempt(config: NetworkcacheConfig, url: string, hash: string): Promise<{ ok: boolean; log: string; file: string }> {
    const sink = new MemorySink();
    const file = join(dir, `${hash}.tar.gz`);
    return downloadSoftwareArchive({ config, logger: new Logger({ sinks: [sink], level: 'debug' }) }, { url, softwareRoot, hash }, file)
      .then((ok) => ({ ok, log: sink.text(), file }));
  }

  test('a trusted, matching entry is downloaded', async () => {
    const hash = 'a'.repeat(32);
    await publishArchive(server, { url: 'https://sr/ok.cfg', softwareRoot, hash, signer: trusted, scratch: dir });
    const { ok, file } = await attempt(cacheConfig(), 'https://sr/ok.cfg', hash);
    assert.equal(ok, true);
    assert.ok(existsSync(file));
  });

  test('an entry signed by a key outside signature-certificate-list is refused', async () => {
    const hash = 'b'.repeat(32);
    await publishArchive(server, { url: 'https://sr/untrusted.cfg', softwareRoot, hash, signer: stranger, scratch: dir });
    const { ok, log } = await attempt(cacheConfig(), 'https://sr/untrusted.cfg', hash);
    assert.equal(ok, false);
    assert.match(log, /untrustedEntries=1/);
  });

  test('an unsigned entry is refused when certificates are configured', async () => {
    const hash = 'c'.repeat(32);
    await publishArchive(server, { url: 'https://sr/unsigned.cfg', softwareRoot, hash, signer: trusted, scratch: dir });
    server.entries.set(hash, server.entries.get(hash)!.map(([json]) => [json, '']));
    assert.equal((await attempt(cacheConfig(), 'https://sr/unsigned.cfg', hash)).ok, false);
  });

  test('a file whose sha512 differs from its entry is refused', async () => {
    const hash = 'd'.repeat(32);
    const sha512 = await publishArchive(server, { url: 'https://sr/tampered.cfg', softwareRoot, hash, signer: trusted, scratch: dir });
    server.files.set(sha512, Buffer.from('something else'));
    const { ok, log } = await attempt(cacheConfig(), 'https://sr/tampered.cfg', hash);
    assert.equal(ok, false);
    assert.match(log, /GRID_ERR_NETWORKCACHE_CHECKSUM/);
  });

  test('an entry for another software_root or URL is not used', async () => {
    const hash = 'e'.repeat(32);
    await publishArchive(server, { url: 'https://sr/other.cfg', softwareRoot: '/elsewhere', hash, signer: trusted, scratch: dir });
    assert.equal((await attempt(cacheConfig(), 'https://sr/other.cfg', hash)).ok, false);
    assert.equal((await attempt(cacheConfig(), 'https://sr/not-the-same.cfg', hash)).ok, false);
  });

  test('a blacklisted URL never reaches the server', async () => {
    const hash = 'f'.repeat(32);
    await publishArchive(server, { url: 'https://sr/black.cfg', softwareRoot, hash, signer: trusted, scratch: dir });
    const { ok, log } = await attempt(cacheConfig('download-from-binary-cache-url-blacklist =\n  https://sr/bl\n'), 'https://sr/black.cfg', hash);
    assert.equal(ok, false);
    assert.match(log, /blacklisted/);
  });

  test('an unreachable server means "not cached", never an error', async () => {
    const config = { ...cacheConfig(), downloadBinaryDirUrl: 'http://127.0.0.1:1/shadir' };
    const { ok, log } = await attempt(config, 'https://sr/ok.cfg', 'a'.repeat(32));
    assert.equal(ok, false);
    assert.match(log, /GRID_ERR_NETWORKCACHE_HTTP/);
  });

  test('a failed upload is logged, not thrown', async () => {
    const sink = new MemorySink();
    const config = { ...cacheConfig(), uploadBinaryCacheUrl: 'http://127.0.0.1:1/shacache', uploadBinaryDirUrl: 'http://127.0.0.1:1/shadir' };
    const uploaded = await uploadSoftwareArchive({ config, logger: new Logger({ sinks: [sink] }) },
      { url: 'https://sr/x.cfg', softwareRoot, hash: '0'.repeat(32) }, join(dir, 'trusted.crt'));
    assert.equal(uploaded, false);
    assert.match(sink.text(), /Binary cache upload of https:\/\/sr\/x.cfg failed/);
  });
});
