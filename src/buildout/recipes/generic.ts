import { chmodSync, existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';

/** slapos.cookbook's true values (case-insensitive). */
export function isTrue(value: string | undefined): boolean {
  return ['y', 'yes', '1', 'true'].includes((value ?? '').trim().toLowerCase());
}

/** An octal mode option (`0755`, `755`, `0o755`); undefined when absent or empty. */
export function parseMode(option: string, value: string | undefined): number | undefined {
  const text = (value ?? '').trim();
  if (text === '') return undefined;
  const digits = text.replace(/^0o/i, '');
  if (!/^[0-7]+$/.test(digits)) throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `Option '${option}' must be an octal mode, not '${text}'`);
  return parseInt(digits, 8);
}

/**
 * Writes a file the way slapos.cookbook's createFile does: an identical file
 * only gets its mode fixed; otherwise it is replaced, with the mode set
 * before the content is written (no window with wider permissions).
 */
export function createFile(path: string, content: string | Buffer, mode?: number): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  if (existsSync(path) && readFileSync(path).equals(bytes)) {
    if (mode !== undefined && (statSync(path).mode & 0o7777) !== mode) chmodSync(path, mode);
    return path;
  }
  if (existsSync(path)) unlinkSync(path);
  writeFileSync(path, '', mode === undefined ? {} : { mode });
  if (mode !== undefined) chmodSync(path, mode);
  writeFileSync(path, bytes);
  return path;
}
