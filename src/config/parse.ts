import { syntaxError } from './errors.ts';

/**
 * The INI reader, following Python 3 `configparser` (strict mode, default
 * prefixes) because that is what SlapOS HEAD reads slapos.cfg with:
 * - `[name]` starts a section (name taken verbatim, case-sensitive);
 * - `name = value` / `name: value`, split at the first `=` or `:`, name folded
 *   to lower case;
 * - a line indented deeper than its option's line continues the value (leading
 *   whitespace dropped); blank lines inside a value are kept, trailing ones are not;
 * - whole-line comments start with `#` or `;` (also indented); there are no
 *   inline comments;
 * - a repeated section or option is an error.
 */

/** One option as written in the file, before interpolation. */
export interface RawOption {
  readonly value: string;
  /** 1-based line of the `name = value` line. */
  readonly line: number;
}

export interface RawSection {
  readonly line: number;
  readonly options: Map<string, RawOption>;
}

export interface ParsedConfig {
  readonly defaults: Map<string, RawOption>;
  /** Sections in file order, DEFAULT excluded. */
  readonly sections: Map<string, RawSection>;
}

export const DEFAULT_SECTION = 'DEFAULT';

interface OpenOption {
  readonly options: Map<string, RawOption>;
  readonly name: string;
  readonly line: number;
  readonly lines: string[];
}

export function parseConfig(text: string, filename: string): ParsedConfig {
  const defaults = new Map<string, RawOption>();
  const sections = new Map<string, RawSection>();
  let current: Map<string, RawOption> | undefined;
  let open: OpenOption | undefined;
  let indentLevel = 0;

  const close = (): void => {
    if (open === undefined) return;
    open.options.set(open.name, { value: open.lines.join('\n').trimEnd(), line: open.line });
    open = undefined;
  };

  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index]!;
    const stripped = line.trim();
    if (stripped === '') {
      open?.lines.push('');
      continue;
    }
    if (stripped.startsWith('#') || stripped.startsWith(';')) continue;

    const indent = line.search(/\S/);
    if (open !== undefined && indent > indentLevel) {
      open.lines.push(stripped);
      continue;
    }
    close();
    indentLevel = indent;

    const closing = stripped.lastIndexOf(']');
    if (stripped.startsWith('[') && closing > 1) {
      const name = stripped.slice(1, closing);
      if (name === DEFAULT_SECTION) {
        current = defaults;
        continue;
      }
      if (sections.has(name)) throw syntaxError(filename, lineNumber, `section [${name}] already defined`);
      current = new Map();
      sections.set(name, { line: lineNumber, options: current });
      continue;
    }
    if (current === undefined) {
      throw syntaxError(filename, lineNumber, `option outside of any section (a [section] header must come first): ${stripped}`);
    }
    const separator = stripped.search(/[=:]/);
    if (separator === -1) throw syntaxError(filename, lineNumber, `expected "name = value", "name: value" or "[section]": ${stripped}`);
    const name = stripped.slice(0, separator).trimEnd().toLowerCase();
    if (name === '') throw syntaxError(filename, lineNumber, `option name missing before "${stripped[separator]}"`);
    if (current.has(name)) throw syntaxError(filename, lineNumber, `option '${name}' already defined in this section`);
    open = { options: current, name, line: lineNumber, lines: [stripped.slice(separator + 1).trim()] };
    // Reserve the name now so that a repeat inside this section is caught.
    current.set(name, { value: '', line: lineNumber });
  }
  close();
  return { defaults, sections };
}
