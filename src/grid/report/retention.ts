import { chown, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Retention lock (spec node.md §7, partition destroy step 1): an instance
 * deployed with a retention delay (days, in `.slapos-retention-lock-delay`)
 * is kept that long after its destruction was first asked for; the deadline
 * is written once to `.slapos-retention-lock-date` (seconds since the epoch).
 */
export const RETENTION_DELAY_FILE = '.slapos-retention-lock-delay';
export const RETENTION_DATE_FILE = '.slapos-retention-lock-date';

const SECONDS_PER_DAY = 86400;

export interface RetentionFacts {
  /** Days from the delay file; undefined when there is no (readable) delay. */
  delayDays: number | undefined;
  /** Deadline from the date file, seconds since the epoch. */
  deadline: number | undefined;
  nowSeconds: number;
}

export type RetentionDecision =
  | { destroy: true }
  | { destroy: false; writeDeadline?: number };

/** Whether the partition may be destroyed now, and the deadline to remember when the lock starts. */
export function decideRetention(facts: RetentionFacts): RetentionDecision {
  if (facts.deadline !== undefined) return facts.nowSeconds < facts.deadline ? { destroy: false } : { destroy: true };
  if (facts.delayDays === undefined || facts.delayDays <= 0) return { destroy: true };
  return { destroy: false, writeDeadline: Math.trunc(facts.nowSeconds + facts.delayDays * SECONDS_PER_DAY) };
}

/** A number as the lock files (and the master's `retention_delay`) hold it: `7`, `0.5`, ` 2 `; undefined otherwise. */
export function parseRetentionNumber(text: string): number | undefined {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(text) ? Number(text) : undefined;
}

async function readNumber(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseRetentionNumber(text);
}

/**
 * Records the delay (days) asked for when the instance was first deployed; a
 * delay already recorded is never rewritten (exclusive creation), since the
 * retention promised at deployment is the one that holds, as in the original.
 * The file belongs to `owner` (the partition user) when given. True when written.
 */
export async function writeRetentionDelay(partitionPath: string, delayDays: number, owner?: { uid: number; gid: number }): Promise<boolean> {
  const path = join(partitionPath, RETENTION_DELAY_FILE);
  try {
    await writeFile(path, String(delayDays), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  if (owner !== undefined) await chown(path, owner.uid, owner.gid);
  return true;
}

/** Reads the lock files, starts the lock when needed; true when the partition may be destroyed now. */
export async function retentionAllowsDestruction(partitionPath: string, nowSeconds: number): Promise<boolean> {
  const decision = decideRetention({
    delayDays: await readNumber(join(partitionPath, RETENTION_DELAY_FILE)),
    deadline: await readNumber(join(partitionPath, RETENTION_DATE_FILE)),
    nowSeconds,
  });
  if (!decision.destroy && decision.writeDeadline !== undefined) {
    await writeFile(join(partitionPath, RETENTION_DATE_FILE), String(decision.writeDeadline));
  }
  return decision.destroy;
}
