/**
 * The xml_marshaller codec alone: encode and decode a full computer document
 * (getFullComputerInformation) with 100 and 1,000 busy partitions.
 *
 *   node --import tsx bench/codec.ts
 */
import { marshal, unmarshal } from '../src/slap/index.ts';
import { fullComputerDocument } from './support/computer.ts';
import { machineLine } from './support/machine.ts';
import { mib, ms, timeRepeated, type Summary } from './support/stats.ts';

const SIZES = [100, 1_000] as const;

function line(what: string, summary: Summary, bytes: number): string {
  const mbPerSecond = (bytes / 1024 / 1024) / (summary.p50Ms / 1000);
  return `${what.padEnd(28)} p50 ${ms(summary.p50Ms).padStart(6)} ms  p99 ${ms(summary.p99Ms).padStart(6)} ms  `
    + `min ${ms(summary.minMs).padStart(6)} ms  ${mbPerSecond.toFixed(0).padStart(4)} MiB/s  (${summary.count} runs)`;
}

async function main(): Promise<void> {
  console.log(machineLine());
  for (const partitions of SIZES) {
    const document = fullComputerDocument('COMP-BENCH', partitions);
    const xml = marshal(document);
    const bytes = Buffer.byteLength(xml);
    // Fewer runs for the large document keep the whole benchmark under ~30 s.
    const iterations = partitions >= 1_000 ? 50 : 300;
    const budgetMs = 10_000;
    const encode = await timeRepeated(() => marshal(document), { iterations, warmup: 5, budgetMs });
    const decode = await timeRepeated(() => unmarshal(xml), { iterations, warmup: 5, budgetMs });
    console.log(`computer document, ${partitions} partitions: ${mib(bytes)} MiB of XML`);
    console.log(`  ${line('encode (marshal)', encode, bytes)}`);
    console.log(`  ${line('decode (unmarshal)', decode, bytes)}`);
  }
  const rss = process.memoryUsage().rss;
  console.log(`resident memory at the end: ${mib(rss)} MiB`);
}

await main();
