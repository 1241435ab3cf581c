import { unencodableError } from './errors.ts';

/**
 * Escaping for the XML this codec writes, matching what lxml (the Python
 * serializer) produces: `&`, `<`, `>` always; `"` and the whitespace controls
 * in attributes; `\r` in text; and, for the ASCII-only marshal documents,
 * every non-ASCII character as one decimal reference per code point.
 */

/** Characters XML 1.0 cannot carry at all (lxml refuses them too). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function assertXmlText(text: string, what: string): void {
  const bad = NOT_XML_CHAR.exec(text);
  if (bad !== null) {
    const code = bad[0].codePointAt(0)!.toString(16).padStart(4, '0');
    throw unencodableError(`${what} holds U+${code.toUpperCase()}, which XML cannot represent`);
  }
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', '\n': '&#10;', '\t': '&#9;' };

/** Element text in a UTF-8 document. */
export function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (char) => TEXT_ESCAPES[char]!);
}

/** Attribute value (double-quoted) in a UTF-8 document. */
export function escapeAttribute(text: string): string {
  return text.replace(/[&<>"\r\n\t]/g, (char) => ATTRIBUTE_ESCAPES[char]!);
}

/** Replaces every non-ASCII character with a decimal character reference (`&#1055;`, `&#128512;`). */
export function asciiOnly(text: string): string {
  return text.replace(/[^\0-\x7f]/gu, (char) => `&#${char.codePointAt(0)!};`);
}

/**
 * The escaping xml_marshaller applies to `<string>` text before the serializer
 * escapes it again (`a<b` travels as `a&amp;lt;b`), and its inverse, applied
 * after XML decoding; `&amp;` is undone last, as Python's saxutils does.
 */
export function preEscape(text: string): string {
  return text.replace(/[&<>]/g, (char) => TEXT_ESCAPES[char]!);
}

export function preUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}
