import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { slaposArgv } from '../../helpers/cli.ts';
import { startTestProxy } from '../../helpers/proxy.ts';
import { Logger, silentLogger } from '../../../src/log/index.ts';
import { marshal, Slap } from '../../../src/slap/index.ts';
import {
  bangAlreadySent, BANG_MARKER_FILE, handleWatchdogEvent, parseTokens, readEvents, renderWatchdogCommand,
  type ListenerEvent,
} from '../../../src/grid/watchdog/index.ts';

/** An event as supervisord writes it: header line, then `len` bytes of payload. */
function frame(eventname: string, payload: string, serial = 1): string {
  return `ver:3.0 server:supervisor serial:${serial} pool:watchdog poolserial:${serial} eventname:${eventname} len:${Buffer.byteLength(payload)}\n${payload}`;
}

async function collect(chunks: Buffer[]): Promise<ListenerEvent[]> {
  const events: ListenerEvent[] = [];
  for await (const event of readEvents((async function* () { yield* chunks; })())) events.push(event);
  return events;
}

test('readEvents: events are read whole however the bytes are split', async () => {
  const payloads = ['processname:web-on-watch groupname:slappart0 from_state:RUNNING expected:0 pid:42', 'ünïcödé:€ x:1', ''];
  const stream = Buffer.from(payloads.map((payload, index) => frame('PROCESS_STATE_EXITED', payload, index + 1)).join(''));
  await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 20 }), async (cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
    const chunks = points.slice(1).map((end, index) => stream.subarray(points[index], end));
    const events = await collect(chunks);
    assert.deepEqual(events.map((event) => event.payload), payloads);
    assert.deepEqual(events.map((event) => event.headers.serial), ['1', '2', '3']);
  }));
});

test('readEvents: a header without a valid len is a protocol error', async () => {
  await assert.rejects(collect([Buffer.from('ver:3.0 eventname:TICK_5\n')]), { code: 'GRID_ERR_WATCHDOG_PROTOCOL' });
  await assert.rejects(collect([Buffer.from('eventname:TICK_5 len:x\n')]), { code: 'GRID_ERR_WATCHDOG_PROTOCOL' });
  await assert.rejects(collect([Buffer.from('garbage\n')]), { code: 'GRID_ERR_WATCHDOG_PROTOCOL' });
});

test('parseTokens: a value keeps its own colons', () => {
  assert.deepEqual({ ...parseTokens('processname:a:b groupname:slappart0') }, { processname: 'a:b', groupname: 'slappart0' });
});

test('bangAlreadySent: once per successful deployment', () => {
  assert.equal(bangAlreadySent(undefined, '100.5'), false, 'never banged');
  assert.equal(bangAlreadySent('100.5', undefined), true, 'not deployed since');
  assert.equal(bangAlreadySent('100.5', '100.5'), true, 'same deployment');
  assert.equal(bangAlreadySent('100.5', '200.25'), false, 'deployed again since');
  assert.equal(bangAlreadySent('0', '1'), false);
  assert.equal(bangAlreadySent('abc', 'abc'), true);
  assert.equal(bangAlreadySent('abc', 'abd'), false);
});

test('renderWatchdogCommand: words survive supervisord\'s shlex split', () => {
  const command = renderWatchdogCommand({
    program: ['/usr/bin/node', '/opt/slap os/main.js'],
    masterUrl: "http://127.0.0.1:8080/it's",
    computerId: 'COMP-1',
    instanceRoot: '/srv/slapgrid',
    certificateRepositoryPath: '/etc/opt/slapos/ssl/partition_pki',
  });
  assert.equal(command, "/usr/bin/node '/opt/slap os/main.js' node watchdog --master-url 'http://127.0.0.1:8080/it'\"'\"'s' "
    + '--computer-id COMP-1 --instance-root-path /srv/slapgrid --certificate-repository-path /etc/opt/slapos/ssl/partition_pki');
});

test('handleWatchdogEvent: only watched services bang; unknown partitions and a master down are logged, never thrown', async (t) => {
  const proxy = await startTestProxy();
  const root = await mkdtemp(join(tmpdir(), 'slapos-watchdog-'));
  t.after(async () => { await proxy.close(); await rm(root, { recursive: true, force: true }); });
  const slap = new Slap({ logger: silentLogger() });
  slap.initializeConnection(proxy.url);
  t.after(() => slap.close());
  await slap.registerComputer('computer').updateConfiguration(marshal({
    reference: 'computer', address: '127.0.0.1', netmask: '255.0.0.0',
    partition_list: [{ reference: 'slappart0', tap: { name: 'slappart0' }, address_list: [{ addr: '127.0.0.1', netmask: '255.0.0.0' }] }],
  }));
  await mkdir(join(root, 'slappart0'));
  await writeFile(join(root, 'slappart0', '.timestamp'), '1700000000.5');
  const lines: string[] = [];
  const logger = new Logger({ sinks: [{ write: (line) => { lines.push(line); } }] });
  const options = { masterUrl: proxy.url, computerId: 'computer', instanceRoot: root, logger };
  const event = (eventname: string, payload: string): ListenerEvent => ({ headers: { eventname }, payload });

  assert.equal(await handleWatchdogEvent(event('TICK_5', 'when:1'), options), 'ignored');
  assert.equal(await handleWatchdogEvent(event('PROCESS_STATE_EXITED', 'processname:apache groupname:slappart0 expected:0'), options), 'ignored');
  assert.equal(await handleWatchdogEvent(event('PROCESS_STATE_FATAL', 'processname:web-on-watch groupname:slappart0 from_state:BACKOFF'), options), 'banged');
  assert.equal(await readFile(join(root, 'slappart0', BANG_MARKER_FILE), 'utf8'), '1700000000.5');
  assert.equal(await handleWatchdogEvent(event('PROCESS_STATE_EXITED', 'processname:web-on-watch groupname:slappart0 expected:1'), options), 'already-banged');

  assert.equal(await handleWatchdogEvent(event('PROCESS_STATE_EXITED', 'processname:db-on-watch groupname:slappart9 expected:0'), options), 'failed');
  assert.match(lines.join(''), /Cannot bang the partition: the master does not know it.*slappart9/);
  assert.equal(await handleWatchdogEvent(event('PROCESS_STATE_EXITED', 'processname:db-on-watch groupname:.. expected:0'), options), 'failed');
  const down = { ...options, masterUrl: 'http://127.0.0.1:9/', instanceRoot: undefined };
  assert.equal(await handleWatchdogEvent(event('PROCESS_STATE_EXITED', 'processname:web-on-watch groupname:slappart0 expected:0'), down), 'failed');
});

test('slapos node watchdog: speaks the event listener protocol on stdin/stdout', async () => {
  const [command, ...prefix] = slaposArgv();
  // A master that is down: every event is still acknowledged.
  const child = spawn(command!, [...prefix, 'node', 'watchdog', '--master-url', 'http://127.0.0.1:9/', '--computer-id', 'computer'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; waiters.splice(0).forEach((wake) => wake()); });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const output = async (expected: string): Promise<void> => {
    while (stdout !== expected) {
      assert.ok(expected.startsWith(stdout), `unexpected output ${JSON.stringify(stdout)}`);
      await new Promise<void>((resolve) => { waiters.push(resolve); });
    }
  };
  await output('READY\n');
  child.stdin.write(frame('PROCESS_STATE_EXITED', 'processname:web-on-watch groupname:slappart0 from_state:RUNNING expected:0 pid:1'));
  await output('READY\nRESULT 2\nOKREADY\n');
  child.stdin.write(frame('TICK_5', 'when:1', 2));
  await output('READY\nRESULT 2\nOKREADY\nRESULT 2\nOKREADY\n');
  child.stdin.end();
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /Cannot bang the partition/);
});
