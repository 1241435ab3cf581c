import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseConfig } from './config/parse.ts';
import { finalizeSection } from './config/raw.ts';

/**
 * `.installed.cfg`: which parts are installed, in which order, with the
 * options they were installed with and the paths they own. Same format as
 * zc.buildout's, so either engine (and the tools that parse it) can read it.
 */
export interface InstalledState {
  parts: string[];
  sections: Map<string, Map<string, string>>;
}

const TOKENS: [string, string][] = [
  [' ', '%(__buildout_space__)s'],
  ['\r', '%(__buildout_space_r__)s'],
  ['\f', '%(__buildout_space_f__)s'],
  ['\v', '%(__buildout_space_v__)s'],
  ['\n', '%(__buildout_space_n__)s'],
];

function tokenize(whitespace: string): string {
  let text = whitespace;
  for (const [char, token] of TOKENS) text = text.replaceAll(char, token);
  return text;
}

/** Encodes a value so that its whitespace survives the parser (leading, trailing, around newlines). */
export function encodeInstalledValue(value: string): string {
  let text = value.replace(/[ \t\r\f\v]*\n[ \t\r\f\v\n]*|^[ \t\r\f\v]+|[ \t\r\f\v]+$/g, (run) => {
    const cut = run.indexOf('\n');
    return cut < 0 ? tokenize(run) : `${tokenize(run.slice(0, cut))}\n\t${tokenize(run.slice(cut + 1))}`;
  });
  if (text.startsWith('\n\t')) text = `%(__buildout_space_n__)s${text.slice(2)}`;
  if (text.endsWith('\n\t')) text = `${text.slice(0, -2)}%(__buildout_space_n__)s`;
  return text;
}

export function decodeInstalledValue(text: string): string {
  let value = text;
  for (const [char, token] of TOKENS) value = value.replaceAll(token, char);
  return value;
}

/** What a value becomes after being written and read back (compare options in that form). */
export function roundTrip(value: string): string {
  const parsed = parseConfig(`[x]\nv = ${encodeInstalledValue(value)}\n`, '<value>', '', { profileBase: false });
  return decodeInstalledValue(parsed.sections.get('x')!.values.get('v')!);
}

export function readInstalled(path: string): InstalledState {
  if (!existsSync(path)) return { parts: [], sections: new Map() };
  // Repeated [buildout] blocks (zc.buildout appends them) re-open the same section: the last value wins.
  const parsed = parseConfig(readFileSync(path, 'utf8'), path, dirname(path), { profileBase: false });
  const sections = new Map<string, Map<string, string>>();
  for (const [name, raw] of parsed.sections) {
    const values = new Map<string, string>();
    for (const [key, value] of finalizeSection(raw)) values.set(key, decodeInstalledValue(value));
    sections.set(name, values);
  }
  const parts = (sections.get('buildout')?.get('parts') ?? '').split(/\s+/).filter(Boolean);
  return { parts, sections };
}

/** Rewrites the whole file (atomically); no part left → the file is removed. */
export function writeInstalled(path: string, state: InstalledState): void {
  if (state.parts.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  const lines = ['[buildout]', 'installed_develop_eggs = ', `parts = ${state.parts.join(' ')}`];
  for (const part of state.parts) {
    lines.push('', `[${part}]`);
    const options = state.sections.get(part) ?? new Map<string, string>();
    for (const key of [...options.keys()].sort()) lines.push(`${key} = ${encodeInstalledValue(options.get(key)!)}`);
  }
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${lines.join('\n')}\n`);
  renameSync(temporary, path);
}
