import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Slap, marshal } from '../../src/slap/index.ts';
import { hasCode } from '../../src/errors/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { runSlapos, slaposArgv } from '../helpers/cli.ts';
import { startTestProxy } from '../helpers/proxy.ts';

/**
 * The proxy as operators run it: `slapos proxy start` in a child process,
 * killed with SIGKILL or stopped with SIGTERM, and `slapos proxy show`.
 */
const SR = 'https://lab.example/software.cfg';
const dir = await mkdtemp(join(tmpdir(), 'slapos-proxy-process-'));
after(() => rm(dir, { recursive: true, force: true }));

const databasePath = join(dir, 'proxy.db');
const cfg = join(dir, 'slapos.cfg');
await writeFile(cfg, `[slapos]\ncomputer_id = COMP\nmaster_url = http://127.0.0.1:1\n\n[slapproxy]\nhost = 127.0.0.1\nport = 0\ndatabase_uri = ${databasePath}\n`);

interface Running { child: ChildProcessWithoutNullStreams; url: string; stderr: () => string }

async function startProxyProcess(): Promise<Running> {
  const [command, ...args] = slaposArgv();
  const child = spawn(command!, [...args, 'proxy', 'start', '--cfg', cfg], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SLAPOS_DEBUG: '' } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /proxy listening \(.*url=(http:\/\/\S+?)[ )]/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`proxy exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

function connect(url: string): Slap {
  const slap = new Slap({ logger: silentLogger() });
  slap.initializeConnection(url);
  return slap;
}

function computerXml(partitions: number): string {
  return marshal({
    reference: 'COMP', address: '10.0.0.1', netmask: '255.255.255.0',
    partition_list: Array.from({ length: partitions }, (_, i) => ({ reference: `slappart${i}`, tap: { name: `tap${i}` }, address_list: [{ addr: `10.0.0.${10 + i}`, netmask: '255.255.255.0' }] })),
  });
}

test('a request answered 200 survives kill -9; SIGTERM stops cleanly; show prints it', async () => {
  let proxy = await startProxyProcess();
  let slap = connect(proxy.url);
  await slap.registerComputer('COMP').updateConfiguration(computerXml(2));
  await slap.registerSupply().supply(SR, 'COMP');
  const instance = await slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'Durable', partitionParameterKw: { port: 8080 } });
  assert.equal(instance.getId(), 'slappart0');
  proxy.child.kill('SIGKILL');
  await once(proxy.child, 'exit');
  await slap.close();

  proxy = await startProxyProcess();
  slap = connect(proxy.url);
  const partition = await slap.registerComputerPartition('COMP', 'slappart0');
  assert.equal(partition.getInstanceParameter('instance_title'), 'Durable');
  assert.equal(partition.getInstanceParameter('port'), '8080');
  await partition.setConnectionDict({ url: 'http://10.0.0.10:8080/' });
  assert.match(proxy.stderr(), /request \(.*method=GET path=\/registerComputerPartition status=200 ms=[\d.]+/);
  await slap.close();

  proxy.child.kill('SIGTERM');
  const [code] = await once(proxy.child, 'exit') as [number | null];
  assert.equal(code, 0);
  assert.match(proxy.stderr(), /stopping proxy/);

  const table = await runSlapos(['proxy', 'show', '--cfg', cfg]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /COMP\s+slappart0\s+Durable\s+-\s+https:\/\/lab\.example\/software\.cfg\s+default\s+started/);
  assert.match(table.stdout, /url = http:\/\/10\.0\.0\.10:8080\//);
  const json = await runSlapos(['proxy', 'show', '--cfg', cfg, '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const snapshot = JSON.parse(json.stdout) as { software: { url: string }[]; partitions: { title: string | null; parameters: Record<string, unknown>; connectionParameters: Record<string, unknown> }[] };
  assert.deepEqual(snapshot.software.map((s) => s.url), [SR]);
  const durable = snapshot.partitions.find((p) => p.title === 'Durable')!;
  assert.deepEqual(durable.parameters, { port: '8080' });
  assert.deepEqual(durable.connectionParameters, { url: 'http://10.0.0.10:8080/' });
});

test('a bad configuration stops the proxy before it listens', async () => {
  const bad = join(dir, 'bad.cfg');
  await writeFile(bad, '[slapos]\ncomputer_id = COMP\n[slapproxy]\nport = 0\n');
  const result = await runSlapos(['proxy', 'start', '--cfg', bad]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /database_uri is required/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('50 concurrent requesters racing for the last free partitions never share one, even across two proxies on one database', async () => {
  const proxy = await startTestProxy({ computerId: 'COMP' });
  // A second proxy on the same file: its own SQLite connection, as another process would have.
  const twin = await startTestProxy({ computerId: 'COMP', databasePath: proxy.databasePath });
  const slaps = Array.from({ length: 50 }, (_, i) => connect(i % 2 === 0 ? proxy.url : twin.url));
  try {
    await slaps[0]!.registerComputer('COMP').updateConfiguration(computerXml(12));
    // Two partitions are taken already: ten are left for fifty requesters.
    await slaps[0]!.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'early-0' });
    await slaps[0]!.registerOpenOrder().request({ softwareRelease: SR, partitionReference: 'early-1' });
    const results = await Promise.allSettled(slaps.map((slap, i) => slap.registerOpenOrder().request({ softwareRelease: SR, partitionReference: `racer-${i}` })));
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.getId()] : []));
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 10);
    assert.equal(new Set(won).size, 10, `a partition was given twice: ${won.join(' ')}`);
    assert.ok(!won.includes('slappart0') && !won.includes('slappart1'));
    for (const r of lost) assert.ok(hasCode((r as PromiseRejectedResult).reason, 'SLAP_ERR_NOT_FOUND'));
    const titles = (await slaps[0]!.registerComputer('COMP').getComputerPartitionList()).map((p) => p.getInstanceParameterDict().instance_title);
    assert.equal(new Set(titles).size, 12);
  } finally {
    await Promise.all(slaps.map((slap) => slap.close()));
    await twin.close();
    await proxy.close();
  }
});
