import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import { pyStringRepr } from '../values.ts';
import { evaluateCondition } from './condition.ts';
import { addLines, type Origin, type RawConfig, type RawSection } from './raw.ts';

/**
 * One configuration file parsed with zc.buildout's rules: `=` only, no
 * interpolation, comments only in column 0, indented lines continue the
 * current option, block values (empty first line) are dedented.
 */
export interface ParsedFile {
  /** Absolute path or URL the text came from (for messages). */
  readonly source: string;
  /** Directory (or URL up to the last `/`) that relative extends are joined to. */
  readonly base: string;
  readonly sections: RawConfig;
}

const HEADER = /^\[\s*([^\s#[\]:;{}]+)\s*(?::([^#;]*))?\]\s*([#;].*)?$/;
const OPTION = /^([^\s{}[\]=:]+)\s*([+-]?)=(.*)$/;

type Op = '=' | '+=' | '-=';

interface PendingOption { name: string; op: Op; first: string; lines: string[] }

/** `${:_profile_base_location_}` is the directory of the file that writes it (SlapOS's zc.buildout). */
const PROFILE_BASE = '${:_profile_base_location_}';

export function parseConfig(text: string, source: string, base: string, options: { profileBase?: boolean } = {}): ParsedFile {
  const expanded = options.profileBase === false ? text : text.replaceAll(PROFILE_BASE, () => base);
  const lines = expanded.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const sections = new Map<string, SectionBuilder>();
  const errors: string[] = [];
  let section: SectionBuilder | undefined;
  let skipping = false;
  let option: PendingOption | undefined;

  const flush = (): void => {
    if (option && section) section.apply(option.name, option.op, finishValue(option), source);
    option = undefined;
  };

  lines.forEach((line, index) => {
    if (line.startsWith('#') || line.startsWith(';')) return;
    const continuation = line === '' || /^\s/.test(line);
    if (continuation && option) {
      option.lines.push(line);
      return;
    }
    const header = HEADER.exec(line);
    if (header) {
      flush();
      const condition = header[2]?.trim();
      skipping = condition !== undefined && condition !== '' && !evaluateCondition(condition, { source, line: index + 1 });
      if (skipping) { section = undefined; return; }
      const name = header[1]!;
      section = sections.get(name) ?? new SectionBuilder();
      sections.set(name, section);
      return;
    }
    if (skipping) return;
    if (!section) {
      if (line.trim() === '') return;
      throw new BuildoutError(BuildoutErrorCode.PARSE,
        `File contains no section headers.\nfile: ${source}, line: ${index + 1}\n${pyStringRepr(line)}`);
    }
    if (continuation && line.trim() === '') return;
    const text2 = line.startsWith('=>') ? `<part-dependencies> = ${line.slice(2)}` : line;
    const match = OPTION.exec(text2);
    if (!match) {
      flush();
      errors.push(`\n\t[line ${String(index + 1).padStart(2)}]: ${pyStringRepr(line)}`);
      return;
    }
    flush();
    let name = match[1]!;
    let sign = match[2]!;
    if (sign === '' && name.length > 1 && (name.endsWith('+') || name.endsWith('-'))) {
      sign = name.slice(-1);
      name = name.slice(0, -1);
    }
    const op: Op = sign === '+' ? '+=' : sign === '-' ? '-=' : '=';
    option = { name, op, first: match[3]!.trim(), lines: [] };
  });
  flush();
  if (errors.length > 0) {
    throw new BuildoutError(BuildoutErrorCode.PARSE, `File contains parsing errors: ${source}${errors.join('')}`);
  }
  const built = new Map<string, RawSection>();
  for (const [name, builder] of sections) built.set(name, builder.build());
  return { source, base, sections: built };
}

/** Turns an option's lines into its value (§1.3 of the spec). */
function finishValue(option: PendingOption): string {
  if (option.first !== '') {
    return [option.first, ...option.lines.map((l) => l.trim()).filter((l) => l !== '')].join('\n');
  }
  const block = option.lines.map((l) => l.trimEnd());
  while (block.length > 0 && block[0] === '') block.shift();
  while (block.length > 0 && block.at(-1) === '') block.pop();
  return dedent(block).join('\n');
}

/** Python textwrap.dedent: removes the longest common leading whitespace of non-blank lines. */
function dedent(lines: string[]): string[] {
  let margin: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)![0];
    if (margin === undefined) { margin = indent; continue; }
    let common = 0;
    while (common < margin.length && common < indent.length && margin[common] === indent[common]) common++;
    margin = margin.slice(0, common);
  }
  const cut = margin?.length ?? 0;
  return lines.map((line) => (line.trim() === '' ? '' : line.slice(cut)));
}

/**
 * Collects one section's options in file order. As zc.buildout 2.13/3.0.1,
 * a file's `+=` / `-=` are not applied to the same file's value: they are
 * kept beside it (zc.buildout's `a +` keys) and apply when the section is
 * merged over the one below, or read with its macros (raw.ts). Repeated
 * edits of one option in one file accumulate.
 */
class SectionBuilder {
  private readonly values = new Map<string, string>();
  private readonly adds = new Map<string, string>();
  private readonly removes = new Map<string, string>();
  private readonly origins = new Map<string, Origin[]>();

  apply(name: string, op: Op, value: string, source: string): void {
    const origin = { op, source };
    if (op === '=') {
      this.origins.set(name, [origin, ...(this.origins.get(name) ?? []).filter((earlier) => earlier.op !== '=')]);
      this.values.set(name, value);
      return;
    }
    this.origins.set(name, [...(this.origins.get(name) ?? []), origin]);
    const edits = op === '+=' ? this.adds : this.removes;
    const earlier = edits.get(name);
    edits.set(name, earlier === undefined ? value : addLines(earlier, value));
  }

  build(): RawSection {
    return { values: this.values, adds: this.adds, removes: this.removes, origins: this.origins };
  }
}
