import { hasCode } from '../../errors/index.ts';
import type { Assignment } from '../config/load.ts';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import type { RecipeContext, RecipeEntry } from '../recipe.ts';
import { pyStr, type Value } from '../values.ts';

/** `[buildout]` options the sub-buildout shares with the main one. */
const SHARED_SETTINGS = ['offline', 'verbosity', 'newest', 'directory', 'eggs-directory', 'develop-eggs-directory'];
const NOOP = 'slapos.cookbook:switch-softwaretype.noop';

/** The sub-buildout's `[slap-configuration]`: the main run's values, without asking the master again. */
function noopRecipe(values: ReadonlyMap<string, Value>): RecipeEntry {
  return {
    signature: 'slapos.cookbook-ts1',
    create({ options }) {
      for (const [key, value] of values) options.set(key, value);
      const nothing = async (): Promise<void> => undefined;
      return { install: nothing, update: nothing };
    },
  };
}

/**
 * `slapos.cookbook:switch-softwaretype`: picks the profile mapped to the
 * instance's software type (`<type> = section:option`) and runs it as a
 * buildout of its own in the same directory, recorded in
 * `.installed-<part>.cfg`, on every install and update.
 */
export const switchSoftwareTypeRecipe: RecipeEntry = {
  signature: 'slapos.cookbook-ts1',
  async create({ host, name, options, logger }: RecipeContext) {
    let softwareType: string;
    try {
      softwareType = pyStr(await host.option('slap-configuration', 'slap-software-type'));
    } catch (error) {
      if (!hasCode(error, BuildoutErrorCode.MISSING_SECTION) && !hasCode(error, BuildoutErrorCode.MISSING_OPTION)) throw error;
      throw new BuildoutError(BuildoutErrorCode.MISSING_SECTION, 'The section to retrieve slap partition parameters (with slapos.cookbook:slapconfiguration recipe or a derived one) must be named [slap-configuration].');
    }
    if (!options.has(softwareType) && softwareType === 'RootSoftwareInstance' && options.has('default')) {
      logger.info("The software_type 'RootSoftwareInstance' is deprecated. We used 'default' instead. Please change the software_type of your instance to 'default'.");
      softwareType = 'default';
    }
    if (!options.has(softwareType)) {
      throw new BuildoutError(BuildoutErrorCode.MISSING_OPTION, `This software type (${softwareType}) isn't mapped. 'default' is the default software type.`);
    }
    const reference = options.getString(softwareType).split(':');
    if (reference.length !== 2) {
      throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `The software types in the section [${name}] must be separated by a colon such as: 'section:key', where key is usually 'rendered'. Don't use: \${section:key}`);
    }
    const profile = pyStr(await host.option(reference[0]!, reference[1]!));

    const run = async (): Promise<void> => {
      const assignments: Assignment[] = [{ section: 'buildout', option: 'installed', value: `.installed-${name}.cfg` }];
      const settings = await host.section('buildout');
      for (const key of SHARED_SETTINGS) {
        if (settings.has(key)) assignments.push({ section: 'buildout', option: key, value: settings.getString(key) });
      }
      const connection = await host.section('slap-connection');
      for (const key of connection.keys()) assignments.push({ section: 'slap-connection', option: key, value: connection.getString(key) });
      assignments.push({ section: 'slap-configuration', option: 'recipe', value: NOOP });
      const configuration = await host.section('slap-configuration');
      const values = new Map(configuration.entries().filter(([key]) => key !== 'recipe'));
      await host.runSubBuildout(profile, assignments, new Map([[NOOP, noopRecipe(values)]]));
    };
    return { install: run, update: run };
  },
};
