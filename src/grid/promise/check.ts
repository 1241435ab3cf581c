import { appendPromiseRun, recentPromiseRuns } from './history.ts';
import { readPromiseCache, writePromiseCache } from './cache.ts';
import { PromiseError } from './errors.ts';
import { listPromises, runPromiseList, validatePromiseRunOptions, type PromiseResult, type PromiseRunOptions } from './run.ts';
import { promiseTitle, readPromiseStatus, writePromiseStatuses, type PromiseMode, type PromiseVerdict } from './status.ts';

/** In anomaly mode, a legacy promise fails only when this many runs in a row failed (the original's wrapper). */
const ANOMALY_FAILURES = 3;

export interface PromiseCheckOptions extends PromiseRunOptions {
  /** `test` (default) fails on the last run; `anomaly` on the last three. */
  mode?: PromiseMode;
  /** Run every promise now (default); without it, a promise not yet due reuses its last stored result. */
  force?: boolean;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

/** A promise's outcome in this check: run now, or its stored result reused. */
interface Outcome {
  name: string;
  failed: boolean;
  message: string;
}

/** What a promise's run says in its result file (the original's wording). */
function runMessage(result: PromiseResult, timeoutSeconds: number): string {
  if (result.timedOut) return `Error: Promise timed out after ${timeoutSeconds} seconds`;
  const output = result.output.trim();
  return output === '' && !result.ok ? 'No error output.' : output;
}

/** Splits the promises into those due now and the stored results of the others. */
async function dueOrStored(names: readonly string[], options: PromiseCheckOptions, nowMs: number): Promise<{ due: string[]; stored: Outcome[] }> {
  const due: string[] = [];
  const stored: Outcome[] = [];
  for (const name of names) {
    const cache = options.force === false ? await readPromiseCache(options.partitionPath, promiseTitle(name)) : undefined;
    if (cache === undefined || cache.next_run_after * 1000 <= nowMs) {
      due.push(name);
      continue;
    }
    // Not due: the last stored result stands, a failure included.
    const status = await readPromiseStatus(options.partitionPath, promiseTitle(name));
    options.logger.debug('Promise not due yet, last result kept', { promise: name, failed: status?.failed ?? false });
    if (status !== undefined) stored.push({ name, failed: status.failed, message: status.message });
  }
  return { due, stored };
}

/** Records a run (log, cache, result file) and says whether it counts as a failure in this mode. */
async function recordRun(result: PromiseResult, options: PromiseCheckOptions, mode: PromiseMode, nowMs: number): Promise<Outcome> {
  const title = promiseTitle(result.name);
  const owner = options.user;
  const message = runMessage(result, options.timeoutSeconds);
  await appendPromiseRun(options.partitionPath, title, { failed: !result.ok, output: message, date: result.date }, owner);
  await writePromiseCache(options.partitionPath, title, result.path, nowMs, owner);
  const failed = mode === 'test'
    ? !result.ok
    : (await recentPromiseRuns(options.partitionPath, title, ANOMALY_FAILURES)).filter(Boolean).length === ANOMALY_FAILURES;
  const verdict: PromiseVerdict = {
    title, name: result.name, path: result.path, executionTimeSeconds: result.executionTimeSeconds, mode, failed, date: result.date, message,
  };
  await writePromiseStatuses(options.partitionPath, [verdict], owner);
  return { name: result.name, failed, message };
}

/**
 * Checks the legacy promises of a partition with the original 1.x launcher's
 * semantics (spec node.md §6.2): each run is logged and leaves its result
 * and cache files; in `test` mode a promise fails when its run failed, in
 * `anomaly` mode when its last three runs failed; without `force`, a promise
 * run less than its periodicity ago is not run again and its last result
 * counts. Throws GRID_ERR_PROMISE_FAILED naming every failed promise.
 */
export async function checkPromises(options: PromiseCheckOptions): Promise<PromiseResult[]> {
  validatePromiseRunOptions(options);
  const mode = options.mode ?? 'test';
  const nowMs = (options.now ?? Date.now)();
  const names = await listPromises(options.promiseDirectory, options.logger);
  if (names.length === 0) options.logger.debug('No promise.', { directory: options.promiseDirectory });
  const { due, stored } = await dueOrStored(names, options, nowMs);
  const results = await runPromiseList(due, options);
  const outcomes = [...stored];
  for (const result of results) outcomes.push(await recordRun(result, options, mode, nowMs));
  const failed = outcomes.filter((outcome) => outcome.failed).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (failed.length > 0) {
    throw new PromiseError(failed.map((outcome) => `Promise '${outcome.name}' failed with output: ${outcome.message}`).join('\n'), failed.map((outcome) => outcome.name));
  }
  return results;
}
