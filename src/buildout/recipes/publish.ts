import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import type { Options } from '../options.ts';
import type { RecipeContext, RecipeEntry } from '../recipe.ts';
import { jsonDumps } from '../values.ts';
import { withPartition, type SlapConnectionOptions } from './slap.ts';

/** The partition's own connection, from `[slap-connection]` (written by slapgrid). */
export async function slapConnection(context: RecipeContext): Promise<SlapConnectionOptions> {
  const section = await context.host.section('slap-connection');
  return {
    serverUrl: section.getString('server-url'),
    computerId: section.getString('computer-id'),
    partitionId: section.getString('partition-id'),
    keyFile: section.getString('key-file', ''),
    certFile: section.getString('cert-file', ''),
  };
}

/** This section and, transitively, those named by `-extends` (each once). */
async function collectSections(context: RecipeContext): Promise<Options[]> {
  const seen = new Set<string>();
  const result: Options[] = [];
  const visit = async (name: string): Promise<void> => {
    if (seen.has(name)) return;
    seen.add(name);
    const options = name === context.name ? context.options : await context.host.section(name);
    result.push(options);
    for (const next of options.getString('-extends', '').split(/\s+/).filter(Boolean)) await visit(next);
  };
  await visit(context.name);
  return result;
}

/** What is published: `-publish` names if given, else every option but `recipe` and `-…`. */
function published(sections: readonly Options[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const options of sections) {
    const only = options.getString('-publish', '').split(/\s+/).filter(Boolean);
    const keys = only.length > 0 ? only : options.keys().filter((key) => key !== 'recipe' && !key.startsWith('-') && !key.startsWith('__'));
    for (const key of keys) {
      if (!options.has(key)) throw new BuildoutError(BuildoutErrorCode.MISSING_OPTION, `Missing option: ${options.name}:${key}`);
      result[key] = options.getString(key);
    }
  }
  return result;
}

function publishEntry(serialise: boolean): RecipeEntry {
  return {
    signature: 'slapos.cookbook-ts1',
    async create(context: RecipeContext) {
      const sections = await collectSections(context);
      const extended = sections.length > 1;
      const connection = await slapConnection(context);
      const slaveReference = context.options.getString('-slave-reference', '') || undefined;
      const publish = async (): Promise<void> => {
        const values = published(sections);
        const dict = serialise ? { _: jsonDumps(values) } : values;
        await withPartition(connection, context.logger, (partition) => partition.setConnectionDict(dict, slaveReference));
      };
      return {
        async install() {
          await publish();
        },
        async update() {
          // Options of `-extends` sections are not this part's options: publish again.
          if (extended) await publish();
        },
      };
    },
  };
}

/** `slapos.cookbook:publish`: sends connection parameters to the master. */
export const publishRecipe = publishEntry(false);
/** `slapos.cookbook:publish.serialised`: the same, as one JSON `_` parameter. */
export const publishSerialisedRecipe = publishEntry(true);
