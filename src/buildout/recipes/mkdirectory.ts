import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RecipeContext, RecipeEntry } from '../recipe.ts';
import { parseMode } from './generic.ts';

/**
 * `slapos.cookbook:mkdirectory`: every option but `recipe` and `mode` is a
 * directory to create. Returns nothing, so directories (which may hold user
 * data) are never removed on uninstall.
 */
export const mkdirectoryRecipe: RecipeEntry = {
  signature: 'slapos.cookbook-ts1',
  create({ host, options }: RecipeContext) {
    const mode = parseMode('mode', options.getString('mode', '')) ?? 0o777;
    const directories = options.keys()
      .filter((key) => key !== 'recipe' && key !== 'mode' && !key.startsWith('__'))
      .map((key) => options.getString(key).trim())
      .filter((path) => path !== '')
      .sort();
    const install = async (): Promise<void> => {
      for (const path of directories) {
        const absolute = resolve(host.directory, path);
        if (!existsSync(absolute)) mkdirSync(absolute, { recursive: true, mode });
      }
    };
    return { install, update: install };
  },
};
