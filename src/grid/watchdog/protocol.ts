import { WatchdogError } from './errors.ts';

/**
 * supervisord's event listener protocol (supervisor docs, "Event Listener
 * Notification Protocol"): the listener writes `READY\n`; supervisord sends
 * one header line of `key:value` tokens, then exactly `len` bytes of
 * payload; the listener answers `RESULT 2\nOK` (or `RESULT 4\nFAIL` to have
 * the event sent again later) and writes `READY\n` for the next one. stdout
 * carries nothing else.
 */
export const READY = 'READY\n';
export const RESULT_OK = 'RESULT 2\nOK';

/** Header lines longer than this are not supervisord's. */
const MAX_HEADER_BYTES = 64 * 1024;
/** supervisord's own payloads are small (a few hundred bytes; process logs excepted). */
const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** One event: its header tokens and its payload. */
export interface ListenerEvent {
  headers: Record<string, string>;
  payload: string;
}

/** `key:value key:value …` as a dictionary (a value may itself hold `:`). */
export function parseTokens(text: string): Record<string, string> {
  const tokens: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const token of text.split(/\s+/).filter(Boolean)) {
    const colon = token.indexOf(':');
    if (colon <= 0) throw new WatchdogError('GRID_ERR_WATCHDOG_PROTOCOL', `not a key:value token: ${JSON.stringify(token)}`);
    tokens[token.slice(0, colon)] = token.slice(colon + 1);
  }
  return tokens;
}

function payloadLength(headers: Record<string, string>, line: string): number {
  const len = headers.len;
  if (len === undefined || !/^\d+$/.test(len) || Number(len) > MAX_PAYLOAD_BYTES) {
    throw new WatchdogError('GRID_ERR_WATCHDOG_PROTOCOL', `event header without a valid len: ${JSON.stringify(line)}`);
  }
  return Number(len);
}

/**
 * The events read from supervisord (the listener's stdin), one at a time:
 * the next one is read only when the consumer asks for it, after it has
 * answered the previous one. Lengths are bytes, so the input is read as
 * bytes. Ends with the input; a malformed header throws
 * GRID_ERR_WATCHDOG_PROTOCOL (the stream can no longer be followed).
 */
export async function* readEvents(input: AsyncIterable<Buffer | string>): AsyncGenerator<ListenerEvent> {
  let buffer = Buffer.alloc(0);
  let pending: { headers: Record<string, string>; length: number } | undefined;
  for await (const chunk of input) {
    buffer = Buffer.concat([buffer, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    for (;;) {
      if (pending === undefined) {
        const newline = buffer.indexOf(0x0a);
        if (newline < 0) {
          if (buffer.length > MAX_HEADER_BYTES) throw new WatchdogError('GRID_ERR_WATCHDOG_PROTOCOL', 'event header line too long');
          break;
        }
        const line = buffer.subarray(0, newline).toString('utf8');
        buffer = buffer.subarray(newline + 1);
        const headers = parseTokens(line);
        pending = { headers, length: payloadLength(headers, line) };
      }
      if (buffer.length < pending.length) break;
      const payload = buffer.subarray(0, pending.length).toString('utf8');
      buffer = buffer.subarray(pending.length);
      const { headers } = pending;
      pending = undefined;
      yield { headers, payload };
    }
  }
}
