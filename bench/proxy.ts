/**
 * The proxy (slapproxy) under concurrent load: throughput, latency and
 * resident memory. The proxy runs as its own process; this process populates
 * it through the SLAP library, then replays the library's calls with
 * autocannon on loopback.
 *
 *   node --import tsx bench/proxy.ts [--duration 10] [--connections 10]
 *        [--log-level info] [--slapos <src/cli/main.ts or a compiled main.js>] [--only <scenario>]
 *        [--cpu-prof <dir>]   (the proxy writes a V8 CPU profile there when it stops)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cleanups } from './support/cleanups.ts';
import { machineLine } from './support/machine.ts';
import { populateComputer, type ComputerWorkload } from './support/populate.ts';
import { DEFAULT_CLI_MAIN, startProxyProcess, type ProxyProcess } from './support/proxy-process.ts';
import { runLoad, type LoadResult } from './support/load.ts';
import type { RecordedCall } from './support/recorder.ts';
import { mib, ms, type Summary } from './support/stats.ts';
import { positiveInteger } from './support/options.ts';

/** The two computers the proxy carries: their ids name their partition counts. */
const COMPUTERS = { small: { id: 'COMP-100', partitions: 100 }, large: { id: 'COMP-1000', partitions: 1_000 } } as const;

interface Scenario {
  name: string;
  computer: keyof typeof COMPUTERS;
  calls: (workload: ComputerWorkload) => RecordedCall[];
}

/**
 * What a node's master sees, in proportions of 10 calls: the node's
 * getFullComputerInformation (4), an instance's registerComputerPartition (2)
 * and startedComputerPartition (2), a published connection (1), and a user's
 * request update (1).
 */
function mixedCalls(node: ComputerWorkload): RecordedCall[] {
  const calls: RecordedCall[] = [];
  for (let round = 0; round < node.requestUpdates.length; round++) {
    const partition = round % node.partitionCount;
    calls.push(node.fullInformation, node.registerPartition[partition]!, node.startedReports[partition]!,
      node.fullInformation, node.connectionUpdates[round]!, node.fullInformation,
      node.registerPartition[partition]!, node.startedReports[partition]!, node.fullInformation, node.requestUpdates[round]!);
  }
  return calls;
}

const SCENARIOS: Scenario[] = [
  { name: 'getFullComputerInformation-100', computer: 'small', calls: (workload) => [workload.fullInformation] },
  { name: 'getFullComputerInformation-1000', computer: 'large', calls: (workload) => [workload.fullInformation] },
  { name: 'requestComputerPartition-update', computer: 'small', calls: (workload) => workload.requestUpdates },
  { name: 'setComputerPartitionConnectionXml', computer: 'small', calls: (workload) => workload.connectionUpdates },
  { name: 'mixed-node-and-user', computer: 'small', calls: mixedCalls },
];

/** Seconds of load before each measured run, so that the JIT and SQLite caches are warm. */
const WARMUP_SECONDS = 2;
const MEMORY_SAMPLE_MS = 200;

/** Runs the load while sampling the proxy's resident memory; returns the highest sample. */
async function measure(proxy: ProxyProcess, load: Promise<LoadResult>): Promise<{ result: LoadResult; peakRssBytes: number }> {
  let peakRssBytes = (await proxy.memory()).rssBytes;
  const sampler = setInterval(() => {
    proxy.memory().then(({ rssBytes }) => { peakRssBytes = Math.max(peakRssBytes, rssBytes); }, () => undefined);
  }, MEMORY_SAMPLE_MS);
  try {
    return { result: await load, peakRssBytes };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'duration': { type: 'string', default: '10' },
      'connections': { type: 'string', default: '10' },
      'log-level': { type: 'string', default: 'info' },
      'slapos': { type: 'string' },
      'only': { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
  });
  const durationSeconds = positiveInteger(values.duration, 'duration');
  const connections = positiveInteger(values.connections, 'connections');
  const scenarios = SCENARIOS.filter((scenario) => values.only === undefined || scenario.name === values.only);
  if (scenarios.length === 0) throw new Error(`--only must be one of ${SCENARIOS.map((s) => s.name).join(', ')}`);

  console.log(machineLine());
  console.log(`proxy: ${values.slapos ?? DEFAULT_CLI_MAIN}, log level ${values['log-level']}, ${connections} connections, ${durationSeconds} s per scenario`);
  const cleanups = new Cleanups();
  try {
    const dir = await mkdtemp(join(tmpdir(), 'slapos-bench-proxy-'));
    cleanups.add(() => rm(dir, { recursive: true, force: true }));
    const proxy = await startProxyProcess(dir, {
      computerId: COMPUTERS.small.id, logLevel: values['log-level'], cliMain: values.slapos, cpuProfileDir: values['cpu-prof'],
    });
    cleanups.add(() => proxy.stop());
    const started = performance.now();
    const workloads = new Map<Scenario['computer'], ComputerWorkload>();
    for (const key of new Set(scenarios.map((scenario) => scenario.computer))) {
      const { id, partitions } = COMPUTERS[key];
      workloads.set(key, await populateComputer(proxy.url, id, partitions));
    }
    const partitionCount = [...workloads.values()].reduce((total, workload) => total + workload.partitionCount, 0);
    await proxy.idle();
    const idle = await proxy.memory();
    console.log(`populated ${partitionCount} partitions through the SLAP library in ${((performance.now() - started) / 1000).toFixed(1)} s; proxy RSS ${mib(idle.rssBytes)} MiB`);
    console.log('scenario                             req/s    p50 ms   p99 ms   max ms  failures  proxy RSS MiB (peak)');
    for (const scenario of scenarios) {
      const calls = scenario.calls(workloads.get(scenario.computer)!);
      await proxy.idle();
      await runLoad({ url: proxy.url, calls, connections, durationSeconds: WARMUP_SECONDS });
      await proxy.idle();
      const { result, peakRssBytes } = await measure(proxy, runLoad({ url: proxy.url, calls, connections, durationSeconds }));
      const latency = (pick: (summary: Summary) => number) => (result.latency ? ms(pick(result.latency)) : '-').padStart(7);
      console.log(`${scenario.name.padEnd(34)} ${result.requestsPerSecond.toFixed(0).padStart(7)}  ${latency((s) => s.p50Ms)}  `
        + `${latency((s) => s.p99Ms)}  ${latency((s) => s.maxMs)}  ${String(result.failures).padStart(8)}  ${mib(peakRssBytes).padStart(8)}`);
    }
    const memory = await proxy.memory();
    console.log(`proxy RSS at the end ${mib(memory.rssBytes)} MiB, highest ever (VmHWM) ${mib(memory.peakRssBytes)} MiB`);
  } finally {
    await cleanups.run();
  }
}

await main();
