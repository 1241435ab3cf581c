import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Logger, MemorySink } from '../../src/log/index.ts';

const at = () => new Date('2026-11-27T10:11:12.345Z');

test('text lines carry time, level, message and fields', () => {
  const sink = new MemorySink();
  new Logger({ sinks: [sink], now: at }).child({ partition: 'slappart0' }).info('Installing', { part: 'node' });
  assert.equal(sink.text(), '2026-11-27 10:11:12 INFO  Installing (partition=slappart0 part=node)\n');
});

test('json lines are one object each, big integers as text', () => {
  const sink = new MemorySink();
  new Logger({ sinks: [sink], format: 'json', now: at }).warn('big', { n: 10n ** 30n });
  assert.deepEqual(JSON.parse(sink.text()), { time: '2026-11-27T10:11:12.345Z', level: 'warn', msg: 'big', n: '1000000000000000000000000000000' });
});

test('plain lines are the message alone, warnings and errors prefixed, nothing under the level', () => {
  const sink = new MemorySink();
  const logger = new Logger({ sinks: [sink], format: 'plain', now: at });
  logger.debug('hidden');
  logger.info('Installing node.');
  logger.warn('Unused option', { option: 'x' });
  logger.error('Failed');
  assert.equal(sink.text(), 'Installing node.\nWARNING: Unused option (option=x)\nERROR: Failed\n');
});

test('an unknown format or level is refused when the logger is made', () => {
  assert.throws(() => new Logger({ format: 'xml' as never }), /invalid log format/);
  assert.throws(() => new Logger({ level: 'loud' as never }), /invalid log level/);
});
