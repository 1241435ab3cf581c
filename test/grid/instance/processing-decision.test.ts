import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideProcessing, type ProcessingFacts } from '../../../src/grid/instance/index.ts';

const HOUR = 3600_000;
const base: ProcessingFacts = {
  force: false, masterTimestamp: '1700000000.5', localTimestamp: '1700000000.5',
  localTimestampMtimeMs: 0, periodicitySeconds: 86400, nowMs: HOUR,
};

test('an up-to-date partition is skipped until the master changes it or the period expires', () => {
  assert.deepEqual(decideProcessing(base), { process: false, reason: 'up-to-date' });
  assert.equal(decideProcessing({ ...base, masterTimestamp: '1700000001.25' }).reason, 'changed');
  // not newer than the last deployment: still up to date (numeric comparison)
  assert.equal(decideProcessing({ ...base, masterTimestamp: '1699999999.0' }).process, false);
  assert.equal(decideProcessing({ ...base, nowMs: 86400_000 + 1 }).reason, 'periodicity');
  assert.equal(decideProcessing({ ...base, periodicitySeconds: -1, nowMs: 1e15 }).process, false);
  assert.equal(decideProcessing({ ...base, periodicitySeconds: 0 }).reason, 'periodicity-disabled');
});

test('forced, never processed, or no timestamp from the master: processed', () => {
  assert.equal(decideProcessing({ ...base, force: true }).reason, 'forced');
  assert.equal(decideProcessing({ ...base, localTimestamp: undefined, localTimestampMtimeMs: undefined }).reason, 'never-processed');
  assert.equal(decideProcessing({ ...base, masterTimestamp: undefined }).reason, 'no-master-timestamp');
  // timestamps that are not numbers are compared as text
  assert.equal(decideProcessing({ ...base, masterTimestamp: 'abc', localTimestamp: 'abc' }).process, false);
  assert.equal(decideProcessing({ ...base, masterTimestamp: 'abd', localTimestamp: 'abc' }).process, true);
});

test('a newer master timestamp is always processed', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 20 }), (local, delta) => {
    const decision = decideProcessing({ ...base, localTimestamp: String(local), masterTimestamp: String(local + delta) });
    return decision.process;
  }));
});
