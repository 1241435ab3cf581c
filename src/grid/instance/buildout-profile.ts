import { InstanceError } from './errors.ts';

/**
 * The partition's buildout.cfg: the software release's instance profile
 * followed by the sections slapgrid appends (spec node.md §5.4). Instance
 * parameters are never written here; the profile reads them from the master
 * with the `[slap-connection]` data.
 */

/**
 * A value as a buildout option on one line. Line breaks (a new option or
 * section), control characters and surrounding whitespace (stripped by the
 * parser) are refused. Buildout splits a value on `$$` and substitutes
 * `${...}` in each piece, so `${` is written `$${` and a value holding `$$`
 * (which no escape can protect) is refused: no reference can come out of it.
 */
export function buildoutValue(option: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u001f\u007f]|\$\$/.exec(value);
  if (bad || value !== value.trim()) {
    const why = bad ? `contains ${JSON.stringify(bad[0])}` : 'starts or ends with whitespace';
    throw new InstanceError('GRID_ERR_BUILDOUT_VALUE', `cannot write ${option} = ${JSON.stringify(value)} into buildout.cfg: it ${why}`);
  }
  return value.replace(/\$\{/g, () => '$${');
}

/** A multi-line buildout value: one indented line per entry. */
function buildoutList(option: string, entries: string[]): string {
  if (entries.length === 0) return `${option} =\n  `;
  return `${option} =\n${entries.map((entry) => `  ${buildoutValue(option, entry)}`).join('\n')}`;
}

export interface SlapConnectionInfo {
  computerId: string;
  partitionId: string;
  serverUrl: string;
  softwareReleaseUrl: string;
  /** Partition key and certificate paths; empty without a certificate repository. */
  keyFile: string;
  certFile: string;
  requestedState: string;
  sharedPartList: string[];
  buildTimePartList: string[];
  storageHome: string;
  ipv4GlobalNetwork: string;
}

/** The sections appended to the instance profile. */
function renderBuildoutTail(info: SlapConnectionInfo): string {
  const v = buildoutValue;
  const common: Array<[string, string]> = [
    ['computer-id', info.computerId],
    ['partition-id', info.partitionId],
    ['server-url', info.serverUrl],
    ['software-release-url', info.softwareReleaseUrl],
    ['key-file', info.keyFile],
    ['cert-file', info.certFile],
  ];
  const dashed = common.map(([name, value]) => `${name} = ${v(name, value)}`);
  const underscored = common.map(([name, value]) => `${name.replace(/-/g, '_')} = ${v(name, value)}`);
  return `# Added by slapgrid for partition ${v('partition-id', info.partitionId)}: do not edit, rewritten on every run.
[buildout]
bin-directory = \${buildout:directory}/sbin

offline = true

[slap-connection]
${dashed.join('\n')}
${buildoutList('shared-part-list', info.sharedPartList)}
${buildoutList('build-time-part-list', info.buildTimePartList)}
requested-state = ${v('requested-state', info.requestedState)}

[slap_connection]
${underscored.join('\n')}

[storage-configuration]
storage-home = ${v('storage-home', info.storageHome)}

[network-information]
global-ipv4-network = ${v('global-ipv4-network', info.ipv4GlobalNetwork)}
# End of the part added by slapgrid.
`;
}

/** The whole buildout.cfg: the template, a blank line, then the tail. */
export function renderPartitionProfile(template: string, info: SlapConnectionInfo): string {
  return `${template}\n\n${renderBuildoutTail(info)}`;
}
