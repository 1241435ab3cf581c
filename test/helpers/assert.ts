import assert from 'node:assert/strict';
import type { CliResult } from './cli.ts';

/** Asserts that `promise` rejects with an error of `code` whose message contains every one of `parts`. */
export async function rejectsWith(promise: Promise<unknown>, code: string, ...parts: string[]): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, code, error.message);
    for (const part of parts) assert.ok(error.message.includes(part), `${JSON.stringify(part)} not in ${JSON.stringify(error.message)}`);
    return true;
  });
}

/** Asserts a `slapos` subprocess's exit status, showing its output when it differs. */
export function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit ${result.code}, wanted ${code}\n--- stdout:\n${result.stdout}\n--- stderr:\n${result.stderr}`);
}
