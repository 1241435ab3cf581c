import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import type { Options } from '../options.ts';
import type { RecipeContext, RecipeEntry } from '../recipe.ts';
import { isValueDict, type Value, type ValueDict } from '../values.ts';
import { optionValue, withPartition } from './slap.ts';

/** Master keys moved out of the parameters into options of their own (`_` → `-`). */
const MOVED = ['slap_software_type', 'slap_computer_partition_id', 'slap_computer_id', 'slap_software_release_url', 'slave_instance_list', 'timestamp'];
const TITLES: [string, string, string][] = [
  ['instance_title', 'instance-title', 'UNKNOWN Instance'],
  ['root_instance_title', 'root-instance-title', 'UNKNOWN'],
  ['root_instance_short_title', 'root-instance-short-title', 'UNKNOWN'],
];

/** New option name or its legacy spelling. */
function either(options: Options, name: string, legacy: string, required: boolean): string {
  if (options.has(name)) return options.getString(name);
  return required ? options.getString(legacy) : options.getString(legacy, '');
}

/** `<storage-home>/<E>/<partition>` directories, linked under `<buildout>/DATA/<E>`. */
function storageDict(storageHome: string, partitionId: string, directory: string): ValueDict {
  const result: ValueDict = {};
  if (storageHome === '' || !existsSync(storageHome) || !statSync(storageHome).isDirectory()) return result;
  for (const entry of readdirSync(storageHome)) {
    const target = join(storageHome, entry, partitionId);
    if (!existsSync(target) || !statSync(target).isDirectory()) continue;
    const link = join(directory, 'DATA', entry);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(link)) symlinkSync(target, link);
    result[entry] = link;
  }
  return result;
}

/** Flattens `.slapos-resource` JSON: nested keys joined with `-`, `_` → `-`. */
function flatten(value: unknown, prefix: string, into: Map<string, Value>): void {
  if (isValueDict(value)) {
    for (const [key, item] of Object.entries(value)) flatten(item, prefix === '' ? key.replaceAll('_', '-') : `${prefix}-${key.replaceAll('_', '-')}`, into);
  } else {
    into.set(prefix, optionValue(value));
  }
}

/** The nearest `.slapos-resource` in the buildout directory or its parents. */
function resourceFile(directory: string): string | undefined {
  for (let current = directory; ; current = dirname(current)) {
    const candidate = join(current, '.slapos-resource');
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

function slapconfigurationEntry(serialised: boolean): RecipeEntry {
  return {
    signature: 'slapos.cookbook-ts1',
    async create({ host, options, logger }: RecipeContext) {
      const connection = {
        serverUrl: either(options, 'server-url', 'url', true),
        computerId: either(options, 'computer-id', 'computer', true),
        partitionId: either(options, 'partition-id', 'partition', true),
        keyFile: either(options, 'key-file', 'key', false),
        certFile: either(options, 'cert-file', 'cert', false),
      };
      const { parameters, state, guid } = await withPartition(connection, logger, async (partition) => {
        const guidOrNull = (() => { try { return partition.getInstanceGuid(); } catch { return null; } })();
        return { parameters: optionValue(partition.getInstanceParameterDict()) as ValueDict, state: partition.getState(), guid: guidOrNull };
      });
      options.set('instance-state', state);
      if (guid !== null) options.set('instance-guid', guid);
      for (const key of MOVED) {
        if (!(key in parameters)) continue;
        options.set(key.replaceAll('_', '-'), parameters[key]!);
        delete parameters[key];
      }
      for (const [key, option, fallback] of TITLES) {
        options.set(option, typeof parameters[key] === 'string' ? parameters[key] : fallback);
        delete parameters[key];
      }
      const ipv4 = new Set<Value>();
      const ipv6 = new Set<Value>();
      for (const pair of Array.isArray(parameters.ip_list) ? parameters.ip_list : []) {
        const address = Array.isArray(pair) ? pair[1] : undefined;
        if (typeof address !== 'string') continue;
        if (isIP(address) === 4) ipv4.add(address);
        else if (isIP(address) === 6) ipv6.add(address);
      }
      for (const key of ['ip_list', 'full_address_list', 'full_ip_list']) delete parameters[key];
      options.set('ipv4', ipv4);
      options.set('ipv6', ipv6);
      // "random" in the original's names, but it is the smallest address as text.
      if (ipv4.size > 0) options.set('ipv4-random', [...ipv4].map(String).sort()[0]!);
      if (ipv6.size > 0) options.set('ipv6-random', [...ipv6].map(String).sort()[0]!);
      options.set('storage-dict', storageDict(options.getString('storage-home', ''), connection.partitionId, host.directory));
      const resource = resourceFile(host.directory);
      if (resource) {
        const flat = new Map<string, Value>();
        flatten(JSON.parse(readFileSync(resource, 'utf8')) as unknown, '', flat);
        for (const [key, value] of flat) if (!options.has(key)) options.set(key, value);
      }
      let configuration: Value = parameters;
      if (serialised && typeof parameters._ === 'string') {
        configuration = optionValue(JSON.parse(parameters._) as unknown);
      }
      options.set('configuration', configuration);
      if (isValueDict(configuration)) {
        for (const [key, value] of Object.entries(configuration)) {
          if (!key.includes('=') && !key.includes(':')) options.set(`configuration.${key}`, value);
        }
      }
      const nothing = async (): Promise<void> => undefined;
      return { install: nothing, update: nothing };
    },
  };
}

/** `slapos.cookbook:slapconfiguration`: the partition's parameters and network, as options. */
export const slapconfigurationRecipe = slapconfigurationEntry(false);
/** `slapos.cookbook:slapconfiguration.serialised`: parameters given as one JSON `_` value. */
export const slapconfigurationSerialisedRecipe = slapconfigurationEntry(true);
