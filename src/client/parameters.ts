import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { xml2dict } from '../slap/index.ts';
import { messageOf } from '../errors/index.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';

/** Instance parameters as sent: text values (null only from an XML file's empty parameter). */
export type InstanceParameters = Record<string, string | null>;

/** How instance parameters travel: one `<parameter>` per key, or all of them as JSON in the single `_` key. */
export const SERIALISATIONS = ['xml', 'json-in-xml'] as const;
export type Serialisation = (typeof SERIALISATIONS)[number];

/**
 * Reads a `--parameters-file`: an `.xml` file is an instance-parameter
 * document as the master shows it (taken as is), anything else is JSON and
 * must hold an object. The returned dictionary is ready to be requested.
 */
export function readParametersFile(path: string, serialisation?: Serialisation): InstanceParameters {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ClientError(CLIENT_ERROR_CODES.PARAMETERS_FILE, `cannot read parameters file ${path}: ${messageOf(error)}`, { cause: error });
  }
  if (extname(path).toLowerCase() === '.xml') {
    try {
      // Copied from the master's pages, so already serialised: keep as is.
      return xml2dict(text);
    } catch (error) {
      throw new ClientError(CLIENT_ERROR_CODES.PARAMETERS_FILE, `parameters file ${path} is not an instance XML document: ${messageOf(error)}`, { cause: error });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ClientError(CLIENT_ERROR_CODES.PARAMETERS_FILE, `parameters file ${path} is not JSON: ${messageOf(error)}`, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ClientError(CLIENT_ERROR_CODES.PARAMETERS_FILE, `parameters file ${path} must hold a JSON object ({"name": "value", ...})`);
  }
  return prepareParameters(parsed as Record<string, unknown>, serialisation);
}

/**
 * Puts parameters in the shape the software release expects. Without an
 * explicit choice, flat string values go one per key (what every release
 * understands) and anything else goes as JSON in `_`, since one `<parameter>`
 * per key holds text only. Forced to `xml`, a non-string value is sent as its
 * JSON text.
 */
export function prepareParameters(params: Readonly<Record<string, unknown>>, serialisation?: Serialisation): InstanceParameters {
  const entries = Object.entries(params);
  const chosen = serialisation ?? (entries.every(([, v]) => typeof v === 'string') ? 'xml' : 'json-in-xml');
  if (chosen === 'xml' || (entries.length === 1 && entries[0]![0] === '_' && typeof entries[0]![1] === 'string')) {
    return Object.fromEntries(entries.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  return { _: JSON.stringify(params, null, 2) };
}
