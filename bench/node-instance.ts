/**
 * `slapos node instance` over 100 up-to-date partitions: the no-op pass,
 * which must not run buildout nor touch supervisord for unchanged partitions.
 * A first pass deploys the 100 instances (one service and one promise each,
 * under a real supervisord); the measured passes follow. Calls to the master
 * are counted by a recording forwarder in front of the proxy.
 *
 *   node --import tsx bench/node-instance.ts [--partitions 100] [--runs 3] [--slapos <main.ts|main.js>]
 *        [--cpu-prof <dir>]   (each up-to-date pass writes a V8 CPU profile there)
 *        [--show-log]         (print what each up-to-date pass logged, at info level)
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SupervisordClient } from '../src/grid/supervisord/index.ts';
import { silentLogger } from '../src/log/index.ts';
import { Slap, marshal } from '../src/slap/index.ts';
import { BENCH_SOFTWARE_RELEASE, formatDescription, instanceParameters, instanceTitle, partitionId } from './support/computer.ts';
import { machineLine } from './support/machine.ts';
import { assertSucceeded, runSlaposCommand, type CommandRun } from './support/node-command.ts';
import { installFakeSoftwareRelease, makePartitionDirectories, writeNodeConfig } from './support/node-layout.ts';
import { positiveInteger } from './support/options.ts';
import { DEFAULT_CLI_MAIN, startProxyProcess } from './support/proxy-process.ts';
import { Cleanups } from './support/cleanups.ts';
import { CallRecorder, endpointCounts, type RecordedCall } from './support/recorder.ts';
import { mib, ms } from './support/stats.ts';

const COMPUTER_ID = 'COMP-INSTANCE';

function report(what: string, run: CommandRun, calls: RecordedCall[]): string {
  return `${what.padEnd(24)} ${ms(run.wallMs).padStart(7)} ms wall  ${mib(run.peakRssBytes).padStart(6)} MiB peak RSS  `
    + `${String(calls.length).padStart(3)} call(s) to the master: ${endpointCounts(calls)}`;
}

/** Modification time of each file under `directory` (supervisord's configuration lives there). */
async function modificationTimes(directory: string): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile()) times.set(path, (await stat(path)).mtimeMs);
  }
  return times;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'partitions': { type: 'string', default: '100' },
      'runs': { type: 'string', default: '3' },
      'slapos': { type: 'string' },
      'cpu-prof': { type: 'string' },
      'show-log': { type: 'boolean', default: false },
    },
  });
  const partitionCount = positiveInteger(values.partitions, 'partitions');
  const runs = positiveInteger(values.runs, 'runs');
  const command = { cliMain: values.slapos };
  console.log(machineLine());
  console.log(`slapos: ${values.slapos ?? DEFAULT_CLI_MAIN}; ${partitionCount} partitions`);

  const cleanups = new Cleanups();
  try {
    const dir = await mkdtemp(join(tmpdir(), 'slapos-bench-instance-'));
    cleanups.add(() => rm(dir, { recursive: true, force: true }));
    const proxy = await startProxyProcess(dir, { computerId: COMPUTER_ID, logLevel: 'info', cliMain: values.slapos });
    cleanups.add(() => proxy.stop());
    const { recorder, url } = await CallRecorder.start(proxy.url);
    cleanups.add(() => recorder.close());
    const { cfg, instanceRoot, softwareRoot } = await writeNodeConfig(dir, url, COMPUTER_ID);
    // The first pass starts supervisord; it outlives the command.
    cleanups.add(() => new SupervisordClient({ socketPath: join(instanceRoot, 'supervisord.socket') }).shutdown().catch(() => undefined));
    const slap = new Slap({ logger: silentLogger() });
    slap.initializeConnection(proxy.url);
    cleanups.add(() => slap.close());
    const ids = Array.from({ length: partitionCount }, (_, index) => partitionId(index));
    await makePartitionDirectories(instanceRoot, ids);
    await installFakeSoftwareRelease(softwareRoot, BENCH_SOFTWARE_RELEASE);
    await slap.registerComputer(COMPUTER_ID).updateConfiguration(marshal(formatDescription(COMPUTER_ID, partitionCount)));
    await slap.registerSupply().supply(BENCH_SOFTWARE_RELEASE, COMPUTER_ID);
    for (let index = 0; index < partitionCount; index++) {
      await slap.registerOpenOrder().request({
        softwareRelease: BENCH_SOFTWARE_RELEASE,
        partitionReference: instanceTitle(COMPUTER_ID, index),
        partitionParameterKw: instanceParameters(index),
        filterKw: { computer_guid: COMPUTER_ID },
      });
    }

    const args = ['node', 'instance', '--cfg', cfg, '--now', '--log-level', values['show-log'] ? 'info' : 'warn'];
    const first = await runSlaposCommand(command, args, dir);
    assertSucceeded(first, 'the first node instance');
    console.log(report('first pass (deploys)', first, recorder.take()));
    const before = await modificationTimes(join(instanceRoot, 'etc'));
    for (let run = 1; run <= runs; run++) {
      const profiling = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
      const again = await runSlaposCommand(command, args, dir, profiling);
      assertSucceeded(again, 'node instance');
      console.log(report(`pass ${run + 1} (up to date)`, again, recorder.take()));
      if (values['show-log']) console.log(again.stderr);
    }
    const after = await modificationTimes(join(instanceRoot, 'etc'));
    const rewritten = [...after].filter(([path, time]) => before.get(path) !== time).map(([path]) => path.slice(instanceRoot.length + 1));
    console.log(rewritten.length === 0
      ? 'supervisord configuration untouched by the up-to-date passes'
      : `NOTE: the up-to-date passes wrote ${rewritten.length} file(s) under instance_root/etc: ${rewritten.slice(0, 5).join(', ')}`);
  } finally {
    await cleanups.run();
  }
}

await main();
