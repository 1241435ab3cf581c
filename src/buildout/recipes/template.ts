import { resolve } from 'node:path';
import { md5Hex } from '../download.ts';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import type { RecipeContext, RecipeEntry, RecipeHost } from '../recipe.ts';
import type { Options } from '../options.ts';
import { createFile, parseMode } from './generic.ts';

/** Where a template's text comes from: `inline`, or `url` (path or URL, checked against `md5sum`). */
export async function templateSource(host: RecipeHost, options: Options, names: { url: string[] }): Promise<{ text: string; inline: boolean }> {
  const inline = options.get('inline');
  if (inline !== undefined) return { text: options.getString('inline'), inline: true };
  for (const name of names.url) {
    if (!options.has(name)) continue;
    const location = options.getString(name);
    const content = await host.download(location, { md5sum: options.getString('md5sum', '') || undefined });
    return { text: content.toString('utf8'), inline: false };
  }
  throw new BuildoutError(BuildoutErrorCode.MISSING_OPTION, `${options.name}: one of the options ${['inline', ...names.url].map((n) => `'${n}'`).join(', ')} is required`);
}

/**
 * `slapos.recipe.template`: renders a text through buildout substitution
 * (in the constructor, so what it references is initialised first) and
 * writes it. A hash of the rendered text is kept as an option, so any change
 * of the output reinstalls the part.
 */
export const templateRecipe: RecipeEntry = {
  signature: 'slapos.recipe.template-ts1',
  async create({ host, name, options }: RecipeContext) {
    const source = await templateSource(host, options, { url: ['url'] });
    const rendered = source.inline ? source.text : await host.substituteText(source.text, name);
    const output = resolve(host.directory, options.getString('output'));
    const mode = parseMode('mode', options.getString('mode', ''));
    options.set('__rendered_md5__', md5Hex(rendered));
    return {
      async install() {
        createFile(output, rendered, mode);
        return [output];
      },
      async update() {
        return undefined;
      },
    };
  },
};
