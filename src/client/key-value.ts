import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';

/**
 * Parses `KEY=VALUE` words (as `--node` and `--parameters` take them) into a
 * dictionary. The value is everything after the first `=`, so values may hold
 * `=` themselves. A word without `=`, an empty key or a repeated key is refused
 * with a message naming the option, so that nothing is requested with a
 * half-understood filter or parameter set.
 */
export function parseKeyValueList(words: readonly string[], optionName: string): Record<string, string> {
  // A Map, then fromEntries: a key such as `__proto__` stays an ordinary key.
  const result = new Map<string, string>();
  for (const word of words) {
    const equal = word.indexOf('=');
    if (equal < 0) {
      throw new ClientError(CLIENT_ERROR_CODES.KEY_VALUE, `${optionName}: expected KEY=VALUE, got ${JSON.stringify(word)}`);
    }
    const key = word.slice(0, equal);
    if (key.trim() === '') {
      throw new ClientError(CLIENT_ERROR_CODES.KEY_VALUE, `${optionName}: empty key in ${JSON.stringify(word)}`);
    }
    if (result.has(key)) {
      throw new ClientError(CLIENT_ERROR_CODES.KEY_VALUE, `${optionName}: key ${JSON.stringify(key)} given more than once`);
    }
    result.set(key, word.slice(equal + 1));
  }
  return Object.fromEntries(result);
}
