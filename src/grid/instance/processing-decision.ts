/**
 * "Does this partition need processing?" (spec node.md §5.5), a pure
 * function of what the master sent and what the last successful run left.
 */
export interface ProcessingFacts {
  /** `--force` (also `--all`/`--develop`). */
  force: boolean;
  /** The partition's timestamp as the master sent it, if any. */
  masterTimestamp: string | undefined;
  /** Content of `<partition>/.timestamp`, if the file exists. */
  localTimestamp: string | undefined;
  /** Modification time of `.timestamp` (ms since the epoch). */
  localTimestampMtimeMs: number | undefined;
  /** Seconds after which an up-to-date partition is processed anyway; 0 disables skipping, negative never expires. */
  periodicitySeconds: number;
  nowMs: number;
}

export type ProcessingDecision =
  | { process: true; reason: 'forced' | 'force-stop' | 'no-master-timestamp' | 'never-processed' | 'changed' | 'periodicity' | 'periodicity-disabled' }
  | { process: false; reason: 'up-to-date' };

/** A timestamp as a number when it is one, for the "not newer than" comparison of the original. */
function numeric(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/** True when the master's timestamp is not newer than the one of the last successful run. */
function masterNotNewer(master: string, local: string): boolean {
  const masterValue = numeric(master);
  const localValue = numeric(local);
  if (masterValue === undefined || localValue === undefined) return master === local;
  return masterValue <= localValue;
}

export function decideProcessing(facts: ProcessingFacts): ProcessingDecision {
  if (facts.force) return { process: true, reason: 'forced' };
  if (facts.masterTimestamp === undefined) return { process: true, reason: 'no-master-timestamp' };
  if (facts.periodicitySeconds === 0) return { process: true, reason: 'periodicity-disabled' };
  if (facts.localTimestamp === undefined) return { process: true, reason: 'never-processed' };
  if (!masterNotNewer(facts.masterTimestamp, facts.localTimestamp)) return { process: true, reason: 'changed' };
  if (facts.periodicitySeconds > 0 && facts.localTimestampMtimeMs !== undefined
    && facts.nowMs > facts.localTimestampMtimeMs + facts.periodicitySeconds * 1000) {
    return { process: true, reason: 'periodicity' };
  }
  return { process: false, reason: 'up-to-date' };
}
