import { chmod, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';
import { runSlapos, type CliResult } from '../../helpers/cli.ts';
import { Logger } from '../../../src/log/index.ts';
import type { Slap } from '../../../src/slap/index.ts';
import { SupervisordClient } from '../../../src/grid/supervisord/index.ts';
import { formatTestComputer } from '../formatted-computer.ts';

export { runningAsRoot } from '../formatted-computer.ts';

/*
 * A formatted computer for report/watchdog tests: a real proxy (whose request
 * log is kept, to count the SLAP calls it received), the computer of
 * ../formatted-computer.ts, whose software release's
 * bin/buildout is a shell script standing for an instance profile. It keeps
 * the contract slapgrid relies on: run in the partition as the partition
 * user, it writes a watched service (which also leaves a process behind,
 * escaped from supervisord's process group), a usage report script, an
 * uninstall script (sbin/destroy), and files including a read-only directory.
 * Paths outside the partition (`shared`) let the tests see what ran.
 */

export const COMPUTER = 'computer';
/** 30 s of 50 ms waits for a service to write its escaped process's pid. */
const ESCAPED_PID_ATTEMPTS = 600;
export const PARTITIONS = ['slappart0', 'slappart1'];
export const SOFTWARE_URL = 'https://lab.example/software/report-test/software.cfg';

export interface TestNode {
  proxy: TestProxy;
  root: string;
  instanceRoot: string;
  /** Written by the instances' scripts (destroy log, pids of escaped processes); writable by anyone. */
  shared: string;
  cfg: string;
  slap: Slap;
  client: SupervisordClient;
  /** SLAP calls the proxy answered, as `METHOD /endpoint`. */
  calls(): string[];
  count(endpoint: string): number;
  slapos(...args: string[]): Promise<CliResult>;
  request(reference: string, state?: 'started' | 'stopped' | 'destroyed'): Promise<string>;
  /** The partition's requested state and software release as the master tells the node. */
  partitionState(id: string): Promise<{ state: string; software: string | undefined }>;
  runs(partition: string): Promise<number>;
  /**
   * The pid of the process the partition's service left outside its group,
   * once the service wrote it: supervisord says RUNNING as soon as it forked
   * (startsecs=0), so `node instance` may end before the service got there.
   */
  escapedPid(partition: string): Promise<number>;
  close(): Promise<void>;
}

function buildoutScript(shared: string): string {
  return `#!/bin/sh
set -e
echo run >> buildout-runs.log
mkdir -p etc/service etc/report var/xml_report sbin data/ro
cat > etc/service/daemon <<'EOS'
#!/bin/sh
setsid sleep 1000 > /dev/null 2>&1 &
echo $! >> '${shared}/escaped-'"$(basename "$PWD")"
exec sleep 1000
EOS
cat > etc/report/usage <<'EOS'
#!/bin/sh
printf '<consumption><movement><resource>CPU</resource><title>cpu</title><reference>x</reference><quantity>42.0</quantity><price>0.0</price><VAT>None</VAT></movement></consumption>' > "$1"
EOS
cat > sbin/destroy <<'EOS'
#!/bin/sh
basename "$PWD" >> '${shared}/destroyed.log'
EOS
chmod 755 etc/service/daemon etc/report/usage sbin/destroy
echo old > data/ro/file
chmod 555 data/ro
`;
}

export async function startTestNode(): Promise<TestNode> {
  const lines: string[] = [];
  const proxy = await startTestProxy({
    computerId: COMPUTER,
    logger: new Logger({ format: 'json', level: 'info', sinks: [{ write: (line) => { lines.push(line); } }] }),
  });
  const root = await mkdtemp(join(tmpdir(), 'slapos-report-'));
  await chmod(root, 0o755);
  const shared = join(root, 'shared');
  await mkdir(shared);
  await chmod(shared, 0o777);
  const { instanceRoot, cfg, slap } = await formatTestComputer({
    root, masterUrl: proxy.url, computerId: COMPUTER, partitions: PARTITIONS, softwareUrl: SOFTWARE_URL, buildout: buildoutScript(shared),
  });
  const client = new SupervisordClient({ socketPath: join(instanceRoot, 'supervisord.socket') });

  const calls = (): string[] => lines
    .map((line) => JSON.parse(line) as { msg?: string; method?: string; path?: string })
    .filter((entry) => entry.msg === 'request')
    .map((entry) => `${entry.method} ${entry.path}`);
  return {
    proxy, root, instanceRoot, shared, cfg, slap, client, calls,
    count: (endpoint) => calls().filter((call) => call.endsWith(`/${endpoint}`)).length,
    slapos: (...args) => runSlapos([...args, '--cfg', cfg]),
    async request(reference, state = 'started') {
      const partition = await slap.registerOpenOrder().request({ softwareRelease: SOFTWARE_URL, partitionReference: reference, state });
      return partition.getId();
    },
    async partitionState(id) {
      const partitions = await slap.registerComputer(COMPUTER).getComputerPartitionList();
      const partition = partitions.find((p) => p.getId() === id);
      if (!partition) throw new Error(`no partition ${id}`);
      let software: string | undefined;
      try {
        software = partition.getSoftwareRelease().getURI() || undefined;
      } catch {
        software = undefined;
      }
      return { state: partition.getState(), software };
    },
    async runs(partition) {
      const log = await readFile(join(instanceRoot, partition, 'buildout-runs.log'), 'utf8').catch(() => '');
      return log.split('\n').filter(Boolean).length;
    },
    async escapedPid(partition) {
      const path = join(shared, `escaped-${partition}`);
      for (let attempt = 0; attempt < ESCAPED_PID_ATTEMPTS; attempt += 1) {
        const first = (await readFile(path, 'utf8').catch(() => '')).split('\n')[0];
        if (first) return Number(first);
        await sleep(50);
      }
      throw new Error(`the service of ${partition} never wrote ${path}`);
    },
    async close() {
      await client.shutdown().catch(() => undefined);
      // processes the instances left outside supervisord's reach
      for (const name of (await readdir(shared)).filter((n) => n.startsWith('escaped-'))) {
        for (const pid of (await readFile(join(shared, name), 'utf8')).split('\n').filter(Boolean).map(Number)) {
          try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
        }
      }
      await slap.close();
      await proxy.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
