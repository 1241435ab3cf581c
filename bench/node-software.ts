/**
 * `slapos node software` with 20 software releases already installed
 * (`.completed` in their directories, as a successful build leaves them):
 * nothing to build, each release only confirmed available to the master.
 *
 *   node --import tsx bench/node-software.ts [--releases 20] [--runs 3] [--slapos <main.ts|main.js>]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/log/index.ts';
import { Slap } from '../src/slap/index.ts';
import { machineLine } from './support/machine.ts';
import { assertSucceeded, runSlaposCommand } from './support/node-command.ts';
import { installFakeSoftwareRelease, writeNodeConfig } from './support/node-layout.ts';
import { positiveInteger } from './support/options.ts';
import { DEFAULT_CLI_MAIN, startProxyProcess } from './support/proxy-process.ts';
import { Cleanups } from './support/cleanups.ts';
import { CallRecorder, endpointCounts } from './support/recorder.ts';
import { mib, ms } from './support/stats.ts';

const COMPUTER_ID = 'COMP-SOFTWARE';

function releaseUrl(index: number): string {
  return `https://lab.example/software/bench-${index}/software.cfg`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      releases: { type: 'string', default: '20' },
      runs: { type: 'string', default: '3' },
      slapos: { type: 'string' },
    },
  });
  const releases = positiveInteger(values.releases, 'releases');
  const runs = positiveInteger(values.runs, 'runs');
  console.log(machineLine());
  console.log(`slapos: ${values.slapos ?? DEFAULT_CLI_MAIN}; ${releases} completed software releases`);

  const cleanups = new Cleanups();
  try {
    const dir = await mkdtemp(join(tmpdir(), 'slapos-bench-software-'));
    cleanups.add(() => rm(dir, { recursive: true, force: true }));
    const proxy = await startProxyProcess(dir, { computerId: COMPUTER_ID, logLevel: 'info', cliMain: values.slapos });
    cleanups.add(() => proxy.stop());
    const { recorder, url } = await CallRecorder.start(proxy.url);
    cleanups.add(() => recorder.close());
    const slap = new Slap({ logger: silentLogger() });
    slap.initializeConnection(proxy.url);
    cleanups.add(() => slap.close());
    const { cfg, softwareRoot } = await writeNodeConfig(dir, url, COMPUTER_ID);
    for (let index = 0; index < releases; index++) {
      await installFakeSoftwareRelease(softwareRoot, releaseUrl(index));
      await slap.registerSupply().supply(releaseUrl(index), COMPUTER_ID);
    }
    const args = ['node', 'software', '--cfg', cfg, '--now', '--log-level', 'warn'];
    for (let run = 1; run <= runs; run++) {
      const result = await runSlaposCommand({ cliMain: values.slapos }, args, dir);
      assertSucceeded(result, 'node software');
      const calls = recorder.take();
      console.log(`run ${run}  ${ms(result.wallMs).padStart(7)} ms wall  ${mib(result.peakRssBytes).padStart(6)} MiB peak RSS  `
        + `${String(calls.length).padStart(3)} call(s) to the master: ${endpointCounts(calls)}`);
    }
  } finally {
    await cleanups.run();
  }
}

await main();
