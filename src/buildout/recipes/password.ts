import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecipeContext, RecipeEntry } from '../recipe.ts';
import { isTrue } from './generic.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function generatePassword(length: number): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** The stored password: JSON `{"": password, ...hashes}`, or plain text (older files). */
function readStored(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  const content = readFileSync(path, 'utf8').replace(/^\n+|\n+$/g, '');
  try {
    const parsed = JSON.parse(content) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as Record<string, unknown>)[''] === 'string') return parsed as Record<string, string>;
  } catch {
    // Not JSON: the old plain-text format.
  }
  return { '': content };
}

/**
 * `slapos.cookbook:generate.password`: a random password (`bytes`
 * characters) kept in `storage-path` (default `<parts>/<part>`), exposed as
 * the `passwd` option but never written to `.installed.cfg`. Hashed
 * variants (`passwd-<scheme>`) need passlib and are not provided.
 */
export const generatePasswordRecipe: RecipeEntry = {
  signature: 'slapos.cookbook-ts1',
  async create({ host, name, options }: RecipeContext) {
    const createOnce = isTrue(options.getString('create-once', 'True'));
    if (!options.has('storage-path')) options.set('storage-path', join(String(await host.option('buildout', 'parts-directory')), name));
    const storagePath = options.getString('storage-path');
    const given = options.getString('passwd', '');
    let stored = storagePath ? readStored(storagePath) : undefined;
    if (given !== '' && stored?.[''] !== given) stored = { '': given };
    const generated = !stored?.[''];
    const passwords = generated ? { '': generatePassword(Number(options.getString('bytes', '16'))) } : stored!;
    options.set('passwd', passwords['']!);
    options.markVolatile('passwd');
    const install = async (): Promise<string | undefined> => {
      if (storagePath === '') return undefined;
      const serialized = JSON.stringify(Object.fromEntries(Object.entries(passwords).sort(([a], [b]) => (a < b ? -1 : 1))));
      if (!existsSync(storagePath) || readFileSync(storagePath, 'utf8') !== serialized) writeFileSync(storagePath, serialized, { mode: 0o600 });
      return createOnce ? undefined : storagePath;
    };
    // A freshly generated password must be stored even when the part is only updated.
    return { install, update: generated ? install : async () => undefined };
  },
};
