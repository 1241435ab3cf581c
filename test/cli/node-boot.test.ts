import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSlapos, slaposArgv, startProxyProcess, REPO_ROOT } from '../helpers/cli.ts';
import { freePort } from '../helpers/net.ts';
import { tempDir } from '../client/helpers.ts';

test('node boot: formats the node, bangs the computer and forgets every partition\'s timestamp', async (t) => {
  const dir = tempDir(t);
  const env = { HOME: join(dir, 'home') };
  const configure = await runSlapos(['configure', 'local', '--base-directory', join(dir, 'node'), '--daemon-listen-port', String(await freePort()),
    '--partition-number', '2', '--no-link-client-config', '--format', 'json'], { env });
  assert.equal(configure.code, 0, configure.stderr);
  const { configPath: cfg, instanceRoot } = JSON.parse(configure.stdout) as { configPath: string; instanceRoot: string };

  await startProxyProcess(t, cfg, env);
  const [command, ...prefix] = slaposArgv();
  assert.equal((await runSlapos(['node', 'format', '--cfg', cfg, '--now'], { env })).code, 0);

  // configure local names `lo`, which never has a global IPv6 address: boot waits for one, as 1.x
  const waiting = spawn(command!, [...prefix, 'node', 'boot', '--cfg', cfg], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let waited = '';
  waiting.stderr.setEncoding('utf8');
  await new Promise<void>((resolve) => {
    waiting.stderr.on('data', (chunk: string) => { waited += chunk; if (waited.includes('No IPv6 found on interface lo')) resolve(); });
  });
  waiting.kill('SIGTERM');
  // a node without interface_name (no network to configure) does not wait
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/^interface_name = lo$/m, ''));
  for (const partition of ['slappart0', 'slappart1']) writeFileSync(join(instanceRoot, partition, '.timestamp'), '1234');

  const boot = await runSlapos(['node', 'boot', '--cfg', cfg, '-m', 'rebooted for the test'], { env });
  assert.equal(boot.code, 0, boot.stderr);
  assert.match(boot.stderr, /\[BOOT\] Invoking slapos node format/);
  assert.match(boot.stderr, /Bang with message 'rebooted for the test'/);
  for (const partition of ['slappart0', 'slappart1']) assert.equal(existsSync(join(instanceRoot, partition, '.timestamp')), false, partition);
});
