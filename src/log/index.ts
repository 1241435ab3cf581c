/**
 * A small structured logger: one line per event, readable text by default,
 * one JSON object per line with `--log-format json`. Instances are passed
 * down explicitly (no module-level logger) so tests can capture output.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/**
 * `text`: time, level, message, fields; `json`: one object a line; `plain`:
 * the message alone (warnings and errors prefixed), as zc.buildout prints, for
 * output that another process (slapgrid) relays under its own time stamps.
 */
export type LogFormat = 'text' | 'json' | 'plain';
export type LogFields = Record<string, unknown>;

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  sinks?: LogSink[];
  /** Fields attached to every line (e.g. `{ component: 'slapgrid' }`). */
  bindings?: LogFields;
  now?: () => Date;
}

export class Logger {
  readonly level: LogLevel;
  readonly format: LogFormat;
  private readonly sinks: LogSink[];
  private readonly bindings: LogFields;
  private readonly now: () => Date;

  constructor(options: LoggerOptions = {}) {
    this.level = options.level ?? 'info';
    this.format = options.format ?? 'text';
    this.sinks = options.sinks ?? [process.stderr];
    this.bindings = options.bindings ?? {};
    this.now = options.now ?? (() => new Date());
    if (!(this.level in LEVEL_RANK)) throw new TypeError(`invalid log level: ${String(this.level)}`);
    if (!['text', 'json', 'plain'].includes(this.format)) throw new TypeError(`invalid log format: ${String(this.format)}`);
  }

  /** A logger writing to the same sinks with extra fields on every line. */
  child(bindings: LogFields): Logger {
    return new Logger({
      level: this.level,
      format: this.format,
      sinks: this.sinks,
      bindings: { ...this.bindings, ...bindings },
      now: this.now,
    });
  }

  /** A logger with the same settings that also writes to `sink`. */
  withSink(sink: LogSink): Logger {
    return new Logger({ level: this.level, format: this.format, sinks: [...this.sinks, sink], bindings: this.bindings, now: this.now });
  }

  debug(message: string, fields?: LogFields): void { this.log('debug', message, fields); }
  info(message: string, fields?: LogFields): void { this.log('info', message, fields); }
  warn(message: string, fields?: LogFields): void { this.log('warn', message, fields); }
  error(message: string, fields?: LogFields): void { this.log('error', message, fields); }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] < LEVEL_RANK[this.level]) return;
    const all = { ...this.bindings, ...fields };
    const line = this.format === 'json' ? jsonLine(this.now(), level, message, all)
      : this.format === 'plain' ? plainLine(level, message, all)
      : textLine(this.now(), level, message, all);
    for (const sink of this.sinks) sink.write(line);
  }
}

function jsonLine(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  return JSON.stringify({ time: time.toISOString(), level, msg, ...fields }, jsonReplacer) + '\n';
}

function textLine(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const stamp = time.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
  return `${stamp} ${level.toUpperCase().padEnd(5)} ${msg}${fieldsText(fields)}\n`;
}

function plainLine(level: LogLevel, msg: string, fields: LogFields): string {
  const prefix = level === 'warn' ? 'WARNING: ' : level === 'error' ? 'ERROR: ' : '';
  return `${prefix}${msg}${fieldsText(fields)}\n`;
}

function fieldsText(fields: LogFields): string {
  const extra = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, jsonReplacer)}`)
    .join(' ');
  return extra ? ` (${extra})` : '';
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { message: value.message, code: (value as { code?: unknown }).code };
  return value;
}

/** A sink that keeps lines in memory (tests, and logs to attach to error reports). */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(line: string): void { this.lines.push(line); }
  text(): string { return this.lines.join(''); }
}

/** A logger that drops everything. */
export function silentLogger(): Logger {
  return new Logger({ sinks: [] });
}
