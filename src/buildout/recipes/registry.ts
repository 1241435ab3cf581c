import type { RecipeEntry, RecipeRegistry } from '../recipe.ts';
import { commandRecipe } from './command.ts';
import { downloadRecipe, downloadUnpackedRecipe } from './download.ts';
import { jinja2Recipe } from './jinja2/recipe.ts';
import { mkdirectoryRecipe } from './mkdirectory.ts';
import { publishRecipe, publishSerialisedRecipe } from './publish.ts';
import { requestOptionalRecipe, requestOptionalSerialisedRecipe, requestRecipe, requestSerialisedRecipe } from './request.ts';
import { generatePasswordRecipe } from './password.ts';
import { switchSoftwareTypeRecipe } from './switch-softwaretype.ts';
import { symbolicLinkRecipe } from './symbolic-link.ts';
import { slapconfigurationRecipe, slapconfigurationSerialisedRecipe } from './slapconfiguration.ts';
import { templateRecipe } from './template.ts';
import { wrapperRecipe } from './wrapper.ts';

/** The recipes built into the engine, under the names profiles write in `recipe =`. */
export function builtinRecipes(): RecipeRegistry {
  return new Map<string, RecipeEntry>([
    ['slapos.recipe.template', templateRecipe],
    ['slapos.recipe.template:default', templateRecipe],
    ['slapos.recipe.template:jinja2', jinja2Recipe],
    ['slapos.cookbook:wrapper', wrapperRecipe],
    ['slapos.cookbook:mkdirectory', mkdirectoryRecipe],
    ['slapos.cookbook:publish', publishRecipe],
    ['slapos.cookbook:publish.serialised', publishSerialisedRecipe],
    ['slapos.cookbook:request', requestRecipe],
    ['slapos.cookbook:requestoptional', requestOptionalRecipe],
    ['slapos.cookbook:request.serialised', requestSerialisedRecipe],
    ['slapos.cookbook:requestoptional.serialised', requestOptionalSerialisedRecipe],
    ['slapos.cookbook:switch-softwaretype', switchSoftwareTypeRecipe],
    ['slapos.cookbook:generate.password', generatePasswordRecipe],
    ['slapos.cookbook:symbolic.link', symbolicLinkRecipe],
    ['slapos.cookbook:slapconfiguration', slapconfigurationRecipe],
    ['slapos.cookbook:slapconfiguration.serialised', slapconfigurationSerialisedRecipe],
    ['plone.recipe.command', commandRecipe],
    ['slapos.recipe.build:download', downloadRecipe],
    ['slapos.recipe.build:downloadunpacked', downloadUnpackedRecipe],
    ['slapos.recipe.build:download-unpacked', downloadUnpackedRecipe],
  ]);
}
