import { lstatSync, symlinkSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import type { RecipeContext, RecipeEntry } from '../recipe.ts';

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `slapos.cookbook:symbolic.link`: links each `link-binary` path into `target-directory`. */
export const symbolicLinkRecipe: RecipeEntry = {
  signature: 'slapos.cookbook-ts1',
  create({ options }: RecipeContext) {
    const targetDirectory = options.getString('target-directory');
    const binaries = options.getString('link-binary').split(/\s+/).filter(Boolean);
    const install = async (): Promise<string[]> => binaries.map((binary) => {
      const link = join(targetDirectory, basename(binary));
      if (lexists(link)) {
        if (!lstatSync(link).isSymbolicLink()) throw new BuildoutError(BuildoutErrorCode.RECIPE, `Target '${link}' already exists but is not a link`);
        unlinkSync(link);
      }
      symlinkSync(binary, link);
      return link;
    });
    return { install, update: install };
  },
};
