import { SoftwareErrorCode, softwareError } from './errors.ts';

export interface SoftwareBuildoutCfg {
  /** The software release URL (or local path) the profile extends. */
  url: string;
  sharedPartList?: string[];
  buildTimePartList?: string[];
}

/**
 * The `buildout.cfg` written once in a software directory: it only extends the
 * release's profile. Laid out as Python's ConfigParser writes it (continuation
 * lines start with a TAB, an empty value leaves a trailing space, a blank line
 * ends the section) so that it is byte-identical to the original's.
 */
export function renderSoftwareBuildoutCfg(cfg: SoftwareBuildoutCfg): string {
  const lines = ['[buildout]', `extends = ${buildoutValue(cfg.url)}`];
  lines.push(`shared-part-list = ${multiline(cfg.sharedPartList ?? [])}`);
  lines.push(`build-time-part-list = ${multiline(cfg.buildTimePartList ?? [])}`);
  return `${lines.join('\n')}\n\n`;
}

function multiline(values: string[]): string {
  return values.map((value) => `\n\t${buildoutValue(value)}`).join('');
}

/**
 * Escapes one value for a buildout configuration file: `$` doubled so that
 * buildout does not substitute `${...}`, and line breaks refused because they
 * would start a new option. Surrounding whitespace is refused too, buildout
 * would strip it and silently change the value.
 */
export function buildoutValue(value: string): string {
  if (/[\r\n]/.test(value) || value !== value.trim() || value === '') {
    throw softwareError(SoftwareErrorCode.BAD_URL, `value ${JSON.stringify(value)} cannot be written into buildout.cfg (empty, line break or surrounding spaces)`);
  }
  return value.replaceAll('$', () => '$$');
}
