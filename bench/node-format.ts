/**
 * `slapos node format` of 100 partitions in non-root mode (alter_user and
 * alter_network False): the first run creates the partitions and registers
 * them with the master; the next runs find nothing to change.
 *
 *   node --import tsx bench/node-format.ts [--partitions 100] [--runs 3] [--slapos <main.ts|main.js>]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineLine } from './support/machine.ts';
import { assertSucceeded, runSlaposCommand, type CommandRun } from './support/node-command.ts';
import { DEFAULT_CLI_MAIN, startProxyProcess } from './support/proxy-process.ts';
import { Cleanups } from './support/cleanups.ts';
import { CallRecorder, endpointCounts, type RecordedCall } from './support/recorder.ts';
import { mib, ms } from './support/stats.ts';
import { positiveInteger } from './support/options.ts';

const COMPUTER_ID = 'COMP-FORMAT';

function report(what: string, run: CommandRun, calls: RecordedCall[]): string {
  return `${what.padEnd(26)} ${ms(run.wallMs).padStart(7)} ms wall  ${mib(run.peakRssBytes).padStart(6)} MiB peak RSS  `
    + `${String(calls.length).padStart(3)} call(s) to the master: ${endpointCounts(calls)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      partitions: { type: 'string', default: '100' },
      runs: { type: 'string', default: '3' },
      slapos: { type: 'string' },
    },
  });
  const partitions = positiveInteger(values.partitions, 'partitions');
  const runs = positiveInteger(values.runs, 'runs');
  const command = { cliMain: values.slapos };
  console.log(machineLine());
  console.log(`slapos: ${values.slapos ?? DEFAULT_CLI_MAIN}; ${partitions} partitions, non-root`);

  const cleanups = new Cleanups();
  try {
    const dir = await mkdtemp(join(tmpdir(), 'slapos-bench-format-'));
    cleanups.add(() => rm(dir, { recursive: true, force: true }));
    const proxy = await startProxyProcess(dir, { computerId: COMPUTER_ID, logLevel: 'warn', cliMain: values.slapos });
    cleanups.add(() => proxy.stop());
    const { recorder, url } = await CallRecorder.start(proxy.url);
    cleanups.add(() => recorder.close());
    // The node's configuration; the proxy has its own (proxy.cfg) in the same directory.
    const nodeCfg = join(dir, 'node.cfg');
    await writeFile(nodeCfg, [
      '[slapos]', `master_url = ${url}`, `computer_id = ${COMPUTER_ID}`,
      `instance_root = ${join(dir, 'srv/slapgrid')}`, `software_root = ${join(dir, 'opt/slapgrid')}`, '',
      '[slapformat]', 'interface_name = lo', 'alter_user = false', 'alter_network = false',
      'ipv4_local_network = 127.0.0.0/16', `partition_amount = ${partitions}`,
      `computer_xml = ${join(dir, 'slapos.xml')}`, `computer_json = ${join(dir, 'slapos.json')}`, '',
    ].join('\n'));
    const args = ['node', 'format', '--cfg', nodeCfg, '--now', '--log-level', 'warn'];
    const first = await runSlaposCommand(command, args, dir);
    assertSucceeded(first, 'the first node format');
    console.log(report('first run (creates)', first, recorder.take()));
    for (let run = 1; run <= runs; run++) {
      const again = await runSlaposCommand(command, args, dir);
      assertSucceeded(again, 'node format');
      console.log(report(`run ${run + 1} (nothing to do)`, again, recorder.take()));
    }
  } finally {
    await cleanups.run();
  }
}

await main();
