import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSoftwareArchive, NetworkcacheClient } from '../../../src/grid/index.ts';
import { currentPlatform, entryJson, loadSignatureKey, signEntry } from '../../../src/grid/networkcache/index.ts';
import type { SigningIdentity } from './signing.ts';

/**
 * A shacache + shadir server on loopback, speaking the protocol of
 * slapos.libnetworkcache (the same routes the Python proxy serves):
 * `POST /shacache` → 201 + sha512, `GET /shacache/<sha512>`,
 * `PUT /shadir/<key>` with `[entry, signature]` → 201, `GET /shadir/<key>`.
 */
export interface TestCacheServer {
  /** `http://127.0.0.1:<port>/shacache` */
  cacheUrl: string;
  /** `http://127.0.0.1:<port>/shadir` */
  dirUrl: string;
  files: Map<string, Buffer>;
  entries: Map<string, Array<[string, string]>>;
  close(): Promise<void>;
}

export async function startCacheServer(): Promise<TestCacheServer> {
  const files = new Map<string, Buffer>();
  const entries = new Map<string, Array<[string, string]>>();
  const server = createServer((request, response) => {
    void handle(request, response, files, entries).catch((error: Error) => {
      response.writeHead(500).end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    cacheUrl: `${base}/shacache`,
    dirUrl: `${base}/shadir`,
    files,
    entries,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, files: Map<string, Buffer>, entries: Map<string, Array<[string, string]>>): Promise<void> {
  const body = await readBody(request);
  const [, area, name] = /^\/(shacache|shadir)(?:\/([^/]+))?$/.exec(request.url ?? '') ?? [];
  if (area === 'shacache' && request.method === 'POST' && name === undefined) {
    const sha512 = createHash('sha512').update(body).digest('hex');
    files.set(sha512, body);
    response.writeHead(201).end(sha512);
  } else if (area === 'shacache' && request.method === 'GET' && name !== undefined) {
    const file = files.get(name);
    if (file === undefined) response.writeHead(404).end('not found');
    else response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
  } else if (area === 'shadir' && request.method === 'PUT' && name !== undefined) {
    const pair = JSON.parse(body.toString('utf8')) as unknown;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((item) => typeof item === 'string')) {
      response.writeHead(400).end('expected [entry, signature]');
      return;
    }
    entries.set(name, [...(entries.get(name) ?? []), pair as [string, string]]);
    response.writeHead(201).end();
  } else if (area === 'shadir' && request.method === 'GET' && name !== undefined) {
    const list = entries.get(name);
    if (list === undefined) response.writeHead(404).end('not found');
    else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
  } else {
    response.writeHead(405).end();
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Puts an archive of `<hash>/hello.txt` (or `content` as raw bytes) in the
 * server and a signed entry pointing at it, as another node's upload would.
 * Returns the archive's sha512.
 */
export async function publishArchive(server: TestCacheServer, options: {
  url: string; softwareRoot: string; hash: string; signer: SigningIdentity; scratch: string; content?: string;
}): Promise<string> {
  const work = await mkdtemp(join(options.scratch, 'archive-'));
  const archive = join(work, 'archive.tar.gz');
  if (options.content === undefined) {
    await mkdir(join(work, options.hash));
    await writeFile(join(work, options.hash, 'hello.txt'), 'from the cache');
    await createSoftwareArchive(work, options.hash, archive);
  } else {
    await writeFile(archive, options.content);
  }
  const client = new NetworkcacheClient({ cacheUrl: server.cacheUrl, dirUrl: server.dirUrl });
  try {
    const sha512 = await client.upload(archive);
    const platform = currentPlatform();
    const json = entryJson({ software_url: options.url, software_root: options.softwareRoot, machine: platform.machine, os: platform.os, sha512 });
    await client.index(options.hash, [json, signEntry(json, loadSignatureKey(options.signer.keyFile))]);
    return sha512;
  } finally {
    await client.close();
  }
}
