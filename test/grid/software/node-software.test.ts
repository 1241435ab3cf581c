import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { runSlapos, slaposArgv } from '../../helpers/cli.ts';
import { privateZcBuildout, zcBuildoutUnavailable } from '../../helpers/zc-buildout.ts';
import { softwareUrlHash } from '../../../src/grid/index.ts';
import { BUILD_UID, RUNNING_AS_ROOT, readText, startTestNode, type TestNode } from './node.ts';

const unavailable = zcBuildoutUnavailable();

describe('slapos node software with the real zc.buildout', { skip: unavailable }, () => {
  let shared: string;
  let buildout: string;
  const nodes: TestNode[] = [];
  const node = async (options: Parameters<typeof startTestNode>[0] = {}): Promise<TestNode> => {
    const created = await startTestNode({ buildout, ...options });
    nodes.push(created);
    return created;
  };
  const software = (n: TestNode, ...extra: string[]) => runSlapos(['node', 'software', '--cfg', n.cfgPath, '--now', ...extra]);

  before(async () => {
    shared = await mkdtemp(join(tmpdir(), 'slapos-test-zcbuildout-'));
    await chmod(shared, 0o755);
    buildout = await privateZcBuildout(shared);
  });
  after(async () => {
    for (const n of nodes) await n.close();
    await rm(shared, { recursive: true, force: true });
  });

  test('builds a supplied release, reports it available, keeps it on the next run, removes it when destroyed', async () => {
    const n = await node();
    const url = await n.profile('hello', { hello: { text: 'hello world' } });
    await n.supply(url);
    const result = await software(n);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`\\[1/1\\] ${escape(url)}: building…`));
    assert.match(result.stdout, new RegExp(`\\[1/1\\] ${escape(url)}: done in \\d+\\.\\d s`));

    const path = join(n.softwareRoot, softwareUrlHash(url));
    assert.equal(await readText(join(path, 'buildout.cfg')), `[buildout]\nextends = ${url}\nshared-part-list = \nbuild-time-part-list = \n\n`);
    assert.equal(await readText(join(path, 'hello.txt')), 'hello world');
    assert.match(await readText(join(path, '.completed')), /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    if (RUNNING_AS_ROOT) assert.equal((await stat(join(path, 'hello.txt'))).uid, BUILD_UID, 'built as the owner of software_root');
    assert.equal((await stat(join(path, 'hello.txt'))).mode & 0o777, 0o640, 'buildout runs with umask 027');
    assert.ok(existsSync(join(n.dir, 'instance', 'etc', 'supervisord.conf')), 'instance_root layout prepared, as the original');
    assert.deepEqual((await n.software()).map((s) => [s.url, s.reportedState]), [[url, 'available']]);

    // a second run keeps the installed release and reports it again
    const again = await software(n);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already installed/);
    assert.doesNotMatch(again.stdout, /building/);

    // requested destroyed: the directory goes, and so does the release at the proxy
    await n.supply(url, 'destroyed');
    const destroyed = await software(n);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.match(destroyed.stdout, /destroyed in/);
    assert.equal(existsSync(path), false);
    assert.deepEqual(await n.software(), [], 'destroyedSoftwareRelease removes it from the proxy');
  });

  test('a failing profile or an unreachable URL is reported to the master and the other releases are still installed', async () => {
    const n = await node();
    const broken = await n.profile('broken', { boom: { fail: 'on purpose' } });
    const unreachable = 'http://127.0.0.1:1/software.cfg';
    const fine = await n.profile('fine', { hello: { text: 'fine' } });
    await n.supply(broken);
    await n.supply(unreachable);
    await n.supply(fine);
    const result = await software(n);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /FAILED after/);
    assert.match(result.stderr, /2 of 3 software release\(s\) failed/);
    const byUrl = new Map((await n.software()).map((s) => [s.url, s]));
    assert.equal(byUrl.get(unreachable)?.reportedState, 'error');
    assert.match(byUrl.get(unreachable)?.errorLog ?? '', /127\.0\.0\.1:1\/software\.cfg/);
    assert.equal(byUrl.get(broken)?.reportedState, 'error');
    assert.match(byUrl.get(broken)?.errorLog ?? '', /Failed to run buildout profile in directory/);
    assert.match(byUrl.get(broken)?.errorLog ?? '', /the profile asked to fail: on purpose/);
    assert.equal(existsSync(join(n.softwareRoot, softwareUrlHash(broken), '.completed')), false);
    assert.equal(byUrl.get(fine)?.reportedState, 'available');
    assert.equal(await readText(join(n.softwareRoot, softwareUrlHash(fine), 'hello.txt')), 'fine');
  });

  test('--only-sr builds only the named release, given by URL or hash', async () => {
    const n = await node();
    const one = await n.profile('one', { hello: { text: '1' } });
    const two = await n.profile('two', { hello: { text: '2' } });
    await n.supply(one);
    await n.supply(two);
    const result = await software(n, '--only-sr', softwareUrlHash(two));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`${escape(two)}: building…`));
    assert.doesNotMatch(result.stdout, new RegExp(escape(one)));
    assert.equal(existsSync(join(n.softwareRoot, softwareUrlHash(one))), false);
  });
});

describe('slapos node software with the built-in engine', () => {
  let n: TestNode | undefined;
  const nodes: TestNode[] = [];
  after(async () => {
    await n?.close();
    for (const other of nodes) await other.close();
  });

  test('without `buildout =` in slapos.cfg, `slapos buildout` builds the release as the software user', async () => {
    n = await startTestNode();
    const url = join(n.dir, 'engine.cfg');
    await writeFile(url, '[buildout]\nparts = hello\n\n[hello]\nrecipe = plone.recipe.command\ncommand = echo built > ${buildout:directory}/engine.txt\n');
    await n.supply(url);
    const result = await runSlapos(['node', 'software', '--cfg', n.cfgPath, '--now']);
    assert.equal(result.code, 0, result.stderr);
    const path = join(n.softwareRoot, softwareUrlHash(url));
    assert.equal(await readText(join(path, 'engine.txt')), 'built\n');
    if (RUNNING_AS_ROOT) assert.equal((await stat(join(path, 'engine.txt'))).uid, BUILD_UID);
    assert.ok(existsSync(join(path, '.completed')));
    assert.equal((await n.software())[0]?.reportedState, 'available');
  });

  test('SIGTERM stops the running build, reports it failed, releases the lock and exits 1', async () => {
    const stopped = await startTestNode();
    nodes.push(stopped);
    const url = join(stopped.dir, 'slow.cfg');
    await writeFile(url, '[buildout]\nparts = slow\n\n[slow]\nrecipe = plone.recipe.command\ncommand = sleep 300\n');
    await stopped.supply(url);
    const [command, ...prefix] = slaposArgv();
    const child = spawn(command!, [...prefix, 'node', 'software', '--cfg', stopped.cfgPath, '--now'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('building…') && !child.killed) child.kill('SIGTERM');
    });
    const [code] = await once(child, 'close') as [number | null];
    assert.equal(code, 1, stderr);
    assert.match(stderr, /slapos: interrupted/);
    assert.equal((await stopped.software())[0]?.reportedState, 'error');
    assert.equal(existsSync(join(stopped.dir, 'slapgrid-sr.pid')), false);
  });
});

describe('slapos node software without a working buildout', () => {
  const nodes: TestNode[] = [];
  after(async () => {
    for (const n of nodes) await n.close();
  });

  test('a missing buildout script is reported per release, with a clear message', async () => {
    const n = await startTestNode({ buildout: '/nonexistent/bin/buildout' });
    nodes.push(n);
    const url = await n.profile('any', { hello: { text: 'x' } });
    await n.supply(url);
    const result = await runSlapos(['node', 'software', '--cfg', n.cfgPath, '--now']);
    assert.equal(result.code, 1);
    const [record] = await n.software();
    assert.equal(record?.reportedState, 'error');
    assert.match(record?.errorLog ?? '', /buildout script \/nonexistent\/bin\/buildout cannot be read/);
  });

  test('a live lock holder stops the run with status 10; a stale lock is taken over', async () => {
    const n = await startTestNode({ buildout: '/nonexistent/bin/buildout' });
    nodes.push(n);
    const pidfile = join(n.dir, 'slapgrid-sr.pid');
    await writeFile(pidfile, String(process.pid));
    const busy = await runSlapos(['node', 'software', '--cfg', n.cfgPath, '--now']);
    assert.equal(busy.code, 10);
    assert.match(busy.stderr, new RegExp(`running with pid ${process.pid}`));

    await writeFile(pidfile, '2147483646'); // above pid_max: never a live process
    const taken = await runSlapos(['node', 'software', '--cfg', n.cfgPath, '--now']);
    assert.equal(taken.code, 0, taken.stderr);
    assert.equal(existsSync(pidfile), false, 'the lock is released at the end');
  });

  test('a missing software_root is a one-line error', async () => {
    const n = await startTestNode({ slapos: { software_root: '/nonexistent/software' } });
    nodes.push(n);
    const result = await runSlapos(['node', 'software', '--cfg', n.cfgPath, '--now']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\/nonexistent\/software does not exist\./);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
