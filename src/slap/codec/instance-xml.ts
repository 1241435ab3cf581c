import { SaxesParser } from 'saxes';
import { SlapOSError } from '../../errors/index.ts';
import { unencodableError, xmlInvalidError, xmlSyntaxError, xmlTooLargeError } from './errors.ts';
import { pyJsonDumps } from './python-json.ts';
import { pyStr } from './python-repr.ts';
import { comparePyStrings } from './python-text.ts';
import { isMarshalDict } from './values.ts';
import { assertXmlText, escapeAttribute, escapeText } from './xml-text.ts';

/**
 * The instance-parameter XML (`<instance><parameter id="k">v</parameter>…`)
 * the proxies store and some answers carry. Values travel as text: writing
 * applies Python's `str()`, reading gives text or None.
 */

const DECLARATION = "<?xml version='1.0' encoding='utf-8'?>";
/** Stored documents are small; this bounds what a hostile one can cost. */
const MAX_INSTANCE_XML_BYTES = 32 * 1024 * 1024;

/** Writes parameters as slapos.core HEAD does: sorted by key, two-space indent, raw UTF-8. */
export function dict2xml(params: Record<string, unknown>): string {
  if (!isMarshalDict(params)) throw unencodableError('instance parameters must be a plain object');
  const keys = Object.keys(params).sort(comparePyStrings);
  if (keys.length === 0) return `${DECLARATION}\n<instance/>\n`;
  const lines = keys.map((key) => {
    const value = pyStr(params[key]);
    assertXmlText(key, `parameter name ${JSON.stringify(key)}`);
    assertXmlText(value, `parameter ${JSON.stringify(key)}`);
    return `  <parameter id="${escapeAttribute(key)}">${escapeText(value)}</parameter>`;
  });
  return `${DECLARATION}\n<instance>\n${lines.join('\n')}\n</instance>\n`;
}

/**
 * Reads the `<parameter>` children of the root: an element without text gives
 * None, a repeated id joins the texts with a space, empty input gives `{}`.
 * The `_` JSON parameter is returned as its text, not expanded.
 */
export function xml2dict(xml: string): Record<string, string | null> {
  const result = Object.create(null) as Record<string, string | null>;
  if (typeof xml !== 'string') throw xmlInvalidError(`expected the instance XML as a string, got ${typeof xml}`);
  if (xml === '') return result;
  if (Buffer.byteLength(xml, 'utf8') > MAX_INSTANCE_XML_BYTES) throw xmlTooLargeError('bytes', MAX_INSTANCE_XML_BYTES);

  let depth = 0;
  let parameter: { id: string; text: string[]; closed: boolean } | undefined;
  const finish = (): void => {
    if (parameter === undefined) return;
    const text = parameter.text.length === 0 ? null : parameter.text.join('');
    const previous = result[parameter.id];
    // As Python: the first text wins when alone, later ones are appended after a space.
    result[parameter.id] = previous === undefined || previous === null ? text : `${previous} ${text ?? ''}`;
    parameter = undefined;
  };
  const parser = new SaxesParser({ xmlns: false, forceXMLVersion: true, defaultXMLVersion: '1.0' });
  parser.on('doctype', () => {
    throw xmlSyntaxError('a DOCTYPE is not allowed');
  });
  parser.on('opentag', (tag) => {
    depth++;
    // Element text is what precedes the first child node (lxml's `.text`).
    if (parameter !== undefined) parameter.closed = true;
    if (depth !== 2 || tag.name !== 'parameter') return;
    const id = tag.attributes.id;
    if (id === undefined) throw xmlInvalidError('a <parameter> has no id attribute');
    parameter = { id, text: [], closed: false };
  });
  parser.on('closetag', () => {
    if (depth === 2) finish();
    depth--;
  });
  const addText = (text: string): void => {
    if (depth === 2 && parameter !== undefined && !parameter.closed && text !== '') parameter.text.push(text);
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('comment', () => {
    if (parameter !== undefined) parameter.closed = true;
  });
  parser.on('processinginstruction', () => {
    if (parameter !== undefined) parameter.closed = true;
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    if (error instanceof SlapOSError) throw error;
    throw xmlSyntaxError(error instanceof Error ? error.message : String(error), error);
  }
  return result;
}

/**
 * The JSON text `slapos request` sends as the single `_` parameter of a
 * json-in-xml software release: Python's `json.dumps(params, indent=2)`.
 * Callers send `{ _: serialiseParameters(params) }`. Keys keep the object's
 * order, which is the parameter file's order except that JavaScript puts
 * array-index keys (`'3'`) first.
 */
export function serialiseParameters(params: Record<string, unknown>): string {
  if (!isMarshalDict(params)) throw unencodableError('instance parameters must be a plain object');
  return pyJsonDumps(params);
}
