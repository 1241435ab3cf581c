import { invalidArgument } from '../errors.ts';
import type { FormFields, QueryFields } from './transport.ts';

/**
 * application/x-www-form-urlencoded, byte for byte as Python's
 * `urllib.parse.urlencode` writes it (what the 1.x client sends): UTF-8
 * percent-encoding, `+` for space, only `A-Z a-z 0-9 _ . - ~` left as is.
 * (URLSearchParams differs: it keeps `*` and escapes `~`.)
 * `null` becomes the text `None`, the protocol's spelling of "absent".
 */
export function encodeForm(fields: FormFields | QueryFields): string {
  return Object.entries(fields)
    .map(([key, value]) => `${quotePlus(key, key)}=${quotePlus(value ?? 'None', key)}`)
    .join('&');
}

function quotePlus(text: string, field: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    // Only a lone UTF-16 surrogate makes encodeURIComponent throw.
    throw invalidArgument(`field ${JSON.stringify(field)} is not valid Unicode text`);
  }
  return encoded
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
