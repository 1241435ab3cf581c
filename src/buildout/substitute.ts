import { BuildoutError, BuildoutErrorCode } from './errors.ts';

/** A `${section:option}` reference; an empty section means the section holding it. */
export interface Reference { section: string; option: string }

const NAME = /^[-a-zA-Z0-9 ._]*$/;
const REFERENCE = /\$\{[^}]*\}/g;

/** Validates the inside of one `${...}` (zc.buildout's messages). */
export function parseReference(text: string): Reference {
  const parts = text.slice(2, -1).split(':');
  if (parts.length === 1) throw syntax(`The substitution, ${text},\ndoesn't contain a colon.`);
  if (parts.length > 2) throw syntax(`The substitution, ${text},\nhas too many colons.`);
  const [section, option] = parts as [string, string];
  if (!NAME.test(section)) throw syntax(`The section name in substitution, ${text},\nhas invalid characters.`);
  if (option === '' || !NAME.test(option)) throw syntax(`The option name in substitution, ${text},\nhas invalid characters.`);
  return { section, option };
}

function syntax(message: string): BuildoutError {
  return new BuildoutError(BuildoutErrorCode.SUBSTITUTION, message);
}

/** Does the value need substitution at all? */
export function hasReference(value: string): boolean {
  return value.includes('${');
}

/**
 * Replaces every `${section:option}` with `lookup`'s answer. `$${` escapes a
 * reference and comes out as `${` (what SlapOS profiles expect); inserted
 * text is not scanned again.
 */
export async function substitute(value: string, lookup: (reference: Reference) => Promise<string>): Promise<string> {
  const pieces = value.split('$$');
  let result = '';
  for (const [index, piece] of pieces.entries()) {
    if (index > 0) result += piece.startsWith('{') ? '$' : '$$';
    let last = 0;
    for (const match of piece.matchAll(REFERENCE)) {
      result += piece.slice(last, match.index);
      result += await lookup(parseReference(match[0]));
      last = match.index + match[0].length;
    }
    result += piece.slice(last);
  }
  return result;
}
