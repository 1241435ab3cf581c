import { interpolationError, type OptionLocation } from './errors.ts';

/**
 * `%(name)s` interpolation as Python's `BasicInterpolation` does it: `%%` is a
 * literal `%`, any other `%` is an error, names are folded to lower case and
 * looked up among the section's options and DEFAULT, and referenced values are
 * interpolated in turn, at most ten levels deep (which also stops cycles).
 */
const MAX_DEPTH = 10;
const REFERENCE = /^%\(([^)]+)\)s/;

export type OptionLookup = (name: string) => string | undefined;

/** Interpolates the value of the option at `at`; errors name that option. */
export function interpolate(value: string, lookup: OptionLookup, at: OptionLocation): string {
  const parts: string[] = [];
  expand(value, lookup, at, parts, 0);
  return parts.join('');
}

function expand(rest: string, lookup: OptionLookup, at: OptionLocation, parts: string[], depth: number): void {
  if (depth > MAX_DEPTH) throw interpolationError(at, `more than ${MAX_DEPTH} levels of %(name)s references (a reference cycle?)`);
  while (rest !== '') {
    const percent = rest.indexOf('%');
    if (percent === -1) {
      parts.push(rest);
      return;
    }
    parts.push(rest.slice(0, percent));
    rest = rest.slice(percent);
    const next = rest[1];
    if (next === '%') {
      parts.push('%');
      rest = rest.slice(2);
      continue;
    }
    if (next !== '(') throw interpolationError(at, `'%' must be followed by '%' or '(' (write a literal % as %%), found: ${JSON.stringify(rest)}`);
    const match = REFERENCE.exec(rest);
    if (match === null) throw interpolationError(at, `bad interpolation reference ${JSON.stringify(rest)} (expected %(name)s)`);
    const name = match[1]!.toLowerCase();
    rest = rest.slice(match[0].length);
    const referenced = lookup(name);
    if (referenced === undefined) throw interpolationError(at, `%(${name})s refers to an option that does not exist`);
    if (referenced.includes('%')) expand(referenced, lookup, at, parts, depth + 1);
    else parts.push(referenced);
  }
}
