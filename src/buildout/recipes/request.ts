import { hasCode, messageOf } from '../../errors/index.ts';
import type { ComputerPartition, RequestedInstanceState } from '../../slap/index.ts';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import type { RecipeContext, RecipeEntry } from '../recipe.ts';
import { isValueDict, jsonDumps, pyStr, type Value } from '../values.ts';
import { isTrue } from './generic.ts';
import { optionValue, withPartition } from './slap.ts';

/** Request failures the recipe reports as "not ready yet" rather than crashing (the original's NotFound, ServerError, ResourceNotReady). */
const TOLERATED = ['SLAP_ERR_NOT_FOUND', 'SLAP_ERR_SERVER', 'SLAP_ERR_RESOURCE_NOT_READY'];

/** Options with a prefix (`config-`, `sla-`) as a dict without it. */
function prefixed(context: RecipeContext, prefix: string, skipEmpty: boolean): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of context.options.keys()) {
    if (!key.startsWith(prefix)) continue;
    const value = context.options.getString(key);
    if (skipEmpty && value === '') continue;
    result[key.slice(prefix.length)] = value;
  }
  return result;
}

/**
 * How parameters travel: one text value per key, or (`.serialised`) the
 * whole dict as JSON in the single `_` key, both ways.
 */
interface ParameterCodec {
  wrap(parameters: Record<string, string>): Record<string, string>;
  returned(instance: ComputerPartition, names: readonly string[]): Map<string, Value>;
}

const PLAIN: ParameterCodec = {
  wrap: (parameters) => parameters,
  returned(instance, names) {
    const values = new Map<string, Value>();
    for (const key of names) {
      try {
        values.set(key, pyStr(instance.getConnectionParameter(key)));
      } catch (error) {
        if (!hasCode(error, 'SLAP_ERR_NOT_FOUND')) throw error;
      }
    }
    return values;
  },
};

const SERIALISED: ParameterCodec = {
  wrap: (parameters) => ({ _: jsonDumps(parameters) }),
  returned(instance, names) {
    let published: unknown;
    try {
      published = JSON.parse(pyStr(instance.getConnectionParameter('_'))) as unknown;
    } catch (error) {
      if (!hasCode(error, 'SLAP_ERR_NOT_FOUND')) throw error;
      published = {};
    }
    const dict = isValueDict(published) ? published : {};
    return new Map(names.filter((key) => key in dict).map((key) => [key, optionValue(dict[key])]));
  },
};

function requestEntry(optional: boolean, codec: ParameterCodec): RecipeEntry {
  return {
    signature: 'slapos.cookbook-ts1',
    async create(context: RecipeContext) {
      const { options, logger } = context;
      if (options.has('config') || options.has('sla')) {
        throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, "'config' & 'sla' options are obsolete. Clean up your software release.");
      }
      const connection = {
        serverUrl: options.getString('server-url'),
        computerId: options.getString('computer-id'),
        partitionId: options.getString('partition-id'),
        keyFile: options.getString('key-file', ''),
        certFile: options.getString('cert-file', ''),
      };
      const softwareUrl = options.getString('software-url');
      const name = options.getString('name');
      const softwareType = options.getString('software-type', 'default');
      const shared = isTrue(options.getString('shared', ''));
      const returned = options.getString('return', '').split(/\s+/).filter(Boolean);
      // The original reads `[slap-connection] requested` (absent from what slapgrid writes: then `started`).
      const defaultState = await context.host.option('slap-connection', 'requested').then(String, () => '');
      const state = options.getString('state', ['started', 'stopped'].includes(defaultState) ? defaultState : 'started') as RequestedInstanceState;
      options.set('requested-state', state);

      let failure: unknown;
      let instance: ComputerPartition | undefined;
      let values = new Map<string, Value>();
      await withPartition(connection, logger, async (partition, slap) => {
        let release = softwareUrl;
        if (release.startsWith('product.')) {
          try {
            const list = await slap.getSoftwareReleaseListFromSoftwareProduct({ softwareProductReference: release.slice('product.'.length) });
            if (list[0] !== undefined) release = list[0];
          } catch (error) {
            logger.warn(`Cannot resolve software product ${release}: ${messageOf(error)}`);
          }
        }
        try {
          instance = await partition.request({
            softwareRelease: release, softwareType, partitionReference: name, shared, state,
            partitionParameterKw: codec.wrap(prefixed(context, 'config-', false)), filterKw: prefixed(context, 'sla-', true),
          });
        } catch (error) {
          if (!TOLERATED.some((code) => hasCode(error, code))) throw error;
          logger.warn(`Request for ${JSON.stringify(name)} with software release ${release} and software type ${softwareType} failed: ${messageOf(error)}`);
          failure = error;
        }
      });
      if (instance) {
        values = codec.returned(instance, returned);
        if (!shared) {
          try {
            options.set('instance-guid', instance.getInstanceGuid());
            options.set('instance_guid', instance.getInstanceGuid());
            options.set('instance-state', instance.getState());
          } catch (error) {
            if (!hasCode(error, 'SLAP_ERR_RESOURCE_NOT_READY')) throw error;
            logger.warn('Impossible to fetch instance GUID nor state.');
          }
        }
      }
      const missing = returned.find((key) => !values.has(key));
      for (const key of returned) options.set(`connection-${key}`, values.get(key) ?? '');

      const check = async (): Promise<void> => {
        if (failure !== undefined && !optional) throw failure;
        if (failure !== undefined) { logger.warn(`Optional request failed: ${messageOf(failure)}`); return; }
        if (missing === undefined) return;
        let status: string;
        try {
          status = instance ? instance.getState() : 'not ready yet';
        } catch {
          status = 'not ready yet';
        }
        if (optional) {
          logger.warn(`Connection parameter ${missing} not found. Requested instance is currently ${status}. If this error persists, check status of this instance.`);
          return;
        }
        throw new BuildoutError(BuildoutErrorCode.RECIPE,
          `Connection parameter ${missing} not found. Status of requested instance is: ${status}. If this error persists, check status of this instance.`);
      };
      return { install: check, update: check };
    },
  };
}

/** `slapos.cookbook:request`: asks the master for an instance and reads its connection parameters. */
export const requestRecipe = requestEntry(false, PLAIN);
/** `slapos.cookbook:requestoptional`: the same, but missing results are only warnings. */
export const requestOptionalRecipe = requestEntry(true, PLAIN);
/** `slapos.cookbook:request.serialised`: parameters sent and read as one JSON `_` value. */
export const requestSerialisedRecipe = requestEntry(false, SERIALISED);
/** `slapos.cookbook:requestoptional.serialised` */
export const requestOptionalSerialisedRecipe = requestEntry(true, SERIALISED);
