import { unwritableError } from './errors.ts';

/**
 * Writes sections as a ConfigParser file that `ConfigFile.parse` (and Python)
 * reads back to the same values: `%` is doubled because values are literal,
 * multi-line values continue on lines indented by two spaces. What the format
 * cannot carry (line breaks in names, whitespace the reader would strip, a
 * continuation line the reader would take for a comment) is refused with
 * CONFIG_ERR_UNWRITABLE rather than silently changed.
 */
export function formatConfig(sections: Record<string, Record<string, string>>): string {
  return Object.entries(sections).map(([section, options]) => formatSection(section, options)).join('\n');
}

function formatSection(section: string, options: Record<string, string>): string {
  if (section === '' || /[\r\n]/.test(section)) throw unwritableError(section, undefined, 'a section name must be one non-empty line');
  const lines = [`[${section}]`];
  const seen = new Set<string>();
  for (const [option, value] of Object.entries(options)) {
    checkOptionName(section, option);
    // Names are read back lower-cased, so `A` and `a` would collide.
    if (seen.has(option.toLowerCase())) throw unwritableError(section, option, 'another option has the same name in another case');
    seen.add(option.toLowerCase());
    lines.push(formatOption(section, option, value));
  }
  return lines.join('\n') + '\n';
}

function checkOptionName(section: string, option: string): void {
  if (option === '' || option !== option.trim()) throw unwritableError(section, option, 'an option name must be non-empty, without surrounding whitespace');
  if (/[=:\r\n]/.test(option)) throw unwritableError(section, option, 'an option name cannot contain "=", ":" or a line break');
  if (/^[[#;]/.test(option)) throw unwritableError(section, option, 'an option name cannot start with "[", "#" or ";"');
}

function formatOption(section: string, option: string, value: string): string {
  if (value.includes('\r')) throw unwritableError(section, option, 'a value cannot contain a carriage return');
  const [first = '', ...rest] = value.replaceAll('%', '%%').split('\n');
  if (first !== first.trim()) throw unwritableError(section, option, 'the first line of a value cannot start or end with whitespace');
  for (const line of rest) {
    if (line !== line.trim()) throw unwritableError(section, option, 'a line of a multi-line value cannot start or end with whitespace');
    if (/^[#;]/.test(line)) throw unwritableError(section, option, 'a continuation line cannot start with "#" or ";" (it would be read as a comment)');
  }
  if (rest.length > 0 && rest[rest.length - 1] === '') throw unwritableError(section, option, 'a value cannot end with an empty line');
  const head = first === '' ? `${option} =` : `${option} = ${first}`;
  return [head, ...rest.map((line) => (line === '' ? '' : `  ${line}`))].join('\n');
}
