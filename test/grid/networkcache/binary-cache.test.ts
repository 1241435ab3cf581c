import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { runSlapos } from '../../helpers/cli.ts';
import { privateZcBuildout, zcBuildoutUnavailable } from '../../helpers/zc-buildout.ts';
import { softwareUrlHash } from '../../../src/grid/index.ts';
import { isTrustedEntry } from '../../../src/grid/networkcache/index.ts';
import { readText, startTestNode, type TestNode } from '../software/node.ts';
import { publishArchive, startCacheServer, type TestCacheServer } from './cache-server.ts';
import { cfgMultiline, makeSigningIdentity, type SigningIdentity } from './signing.ts';

const unavailable = zcBuildoutUnavailable();

describe('binary cache of software releases (shacache/shadir on loopback)', { skip: unavailable }, () => {
  let shared: string;
  let buildout: string;
  let trusted: SigningIdentity;
  let server: TestCacheServer;
  const nodes: TestNode[] = [];

  before(async () => {
    shared = await mkdtemp(join(tmpdir(), 'slapos-test-cache-'));
    await chmod(shared, 0o755);
    [buildout, trusted, server] = await Promise.all([privateZcBuildout(shared), makeSigningIdentity(shared, 'trusted'), startCacheServer()]);
  });
  after(async () => {
    for (const n of nodes) await n.close();
    await server.close();
    await rm(shared, { recursive: true, force: true });
  });

  /** A node that uploads signed by `signer` and trusts only `trusted`. */
  async function cachingNode(signer: SigningIdentity): Promise<TestNode> {
    const n = await startTestNode({
      buildout,
      slapos: { signature_private_key_file: signer.keyFile },
      networkcache: {
        'download-binary-cache-url': server.cacheUrl,
        'download-binary-dir-url': server.dirUrl,
        'upload-binary-cache-url': server.cacheUrl,
        'upload-binary-dir-url': server.dirUrl,
        'signature-certificate-list': cfgMultiline(trusted.certificate),
      },
    });
    nodes.push(n);
    return n;
  }
  const software = (n: TestNode) => runSlapos(['node', 'software', '--cfg', n.cfgPath, '--now']);

  /** Builds and uploads a release, then empties software_root as a fresh node with the same layout would be. */
  async function uploadedRelease(n: TestNode, name: string): Promise<{ url: string; hash: string }> {
    const url = await n.profile(name, { hello: { text: `built ${name}` } });
    await n.supply(url);
    const first = await software(n);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /building…/);
    assert.match(first.stdout, /uploading…/);
    const hash = softwareUrlHash(url);
    await rm(join(n.softwareRoot, hash), { recursive: true, force: true });
    return { url, hash };
  }

  test('uploads a signed entry after a build; a node without the release downloads it instead of building', async () => {
    const n = await cachingNode(trusted);
    const { url, hash } = await uploadedRelease(n, 'cached');
    const [entry, more] = server.entries.get(hash) ?? [];
    assert.ok(entry && more === undefined, 'one shadir entry under the md5 of the URL');
    const tags = JSON.parse(entry[0]) as Record<string, string>;
    assert.equal(tags.software_url, url);
    assert.equal(tags.software_root, n.softwareRoot);
    assert.ok(server.files.has(tags.sha512!), 'the archive is in shacache under its sha512');
    assert.ok(isTrustedEntry(entry[0], entry[1], [new X509Certificate(trusted.certificate)]), 'signed with the private key');

    const second = await software(n);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /downloading…/);
    assert.match(second.stdout, /done in .* \(from the binary cache\)/);
    assert.doesNotMatch(second.stdout, /building…/);
    assert.equal(await readText(join(n.softwareRoot, hash, 'hello.txt')), 'built cached');
    assert.ok(existsSync(join(n.softwareRoot, hash, '.completed')));
    assert.equal((await n.software())[0]?.reportedState, 'available');
  });

  test('an archive whose checksum differs is refused and the release is built locally', async () => {
    const n = await cachingNode(trusted);
    const url = await n.profile('tampered', { hello: { text: 'built tampered' } });
    const hash = softwareUrlHash(url);
    const sha512 = await publishArchive(server, { url, softwareRoot: n.softwareRoot, hash, signer: trusted, scratch: shared });
    const original = server.files.get(sha512)!;
    server.files.set(sha512, Buffer.concat([original.subarray(0, original.length - 1), Buffer.from([original.at(-1)! ^ 0xff])]));
    await n.supply(url);
    const result = await software(n);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /GRID_ERR_NETWORKCACHE_CHECKSUM/);
    assert.match(result.stdout, /building…/);
    assert.equal(await readText(join(n.softwareRoot, hash, 'hello.txt')), 'built tampered');
  });

  test('a trusted entry pointing at a corrupt archive is refused and the release is built locally', async () => {
    const n = await cachingNode(trusted);
    const url = await n.profile('corrupt', { hello: { text: 'built anyway' } });
    const hash = softwareUrlHash(url);
    await publishArchive(server, { url, softwareRoot: n.softwareRoot, hash, signer: trusted, scratch: shared, content: 'this is not a gzip tarball' });
    await n.supply(url);
    const result = await software(n);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Cached archive of .* is unusable, building instead: corrupt archive/);
    assert.match(result.stdout, /building…/);
    assert.equal(await readText(join(n.softwareRoot, hash, 'hello.txt')), 'built anyway');
  });
});
