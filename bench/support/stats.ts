/** Latency samples in milliseconds, summarised the way BENCHMARKS.md reports them. */
export interface Summary {
  count: number;
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: number[], fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1]!;
}

export function summarise(samplesMs: number[]): Summary {
  if (samplesMs.length === 0) throw new RangeError('no samples to summarise');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    minMs: sorted[0]!,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1]!,
    meanMs: sorted.reduce((total, value) => total + value, 0) / sorted.length,
  };
}

/**
 * Runs `operation` `warmup` times unmeasured (so the JIT has compiled it),
 * then up to `iterations` times measured, stopping early once `budgetMs` of
 * measured time is spent so that a slow machine still finishes.
 */
export async function timeRepeated(
  operation: () => unknown,
  { iterations, warmup, budgetMs }: { iterations: number; warmup: number; budgetMs: number },
): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await operation();
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < iterations && spent < budgetMs) {
    const start = performance.now();
    await operation();
    const elapsed = performance.now() - start;
    samples.push(elapsed);
    spent += elapsed;
  }
  return summarise(samples);
}

export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
