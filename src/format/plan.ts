/**
 * Planning: from the computer definition, the options and a probe of the
 * machine, decide every change before making any. Pure: no I/O here, so the
 * plan can be printed (--dry-run), tested, and applied step by step.
 *
 * Addresses are chosen deterministically (lowest free IPv4 host, IPv6
 * base + partition index + 2, as HEAD does) instead of at random as 0.32 did,
 * so a run interrupted after adding an address picks the same one again.
 */
import { join } from 'node:path';
import type { ComputerDefinition, PartitionDefinition, AddressEntry, StoredComputer } from './computer.ts';
import { FormatError, FormatErrorCode } from './errors.ts';
import type { FormatOptions } from './options.ts';
import { canonicalAddress, contains, familyOf, formatCidr, netmaskToPrefix, networkOf, parseAddress, prefixToNetmask, sizeOf, addressAt, isGlobalScope, type Network } from './ip.ts';
import type { InterfaceAddress, ProbeRequest, SystemState } from './system.ts';

export type Step =
  | { kind: 'mkdir'; path: string; mode: number }
  | { kind: 'chmod'; path: string; mode: number }
  | { kind: 'chown'; path: string; user: string }
  | { kind: 'run'; argv: string[] }
  | { kind: 'address'; interface: string; address: InterfaceAddress };

/** A group of steps; a stage with a partition index completes that partition. */
export interface Stage {
  name: string;
  partition?: number;
  steps: Step[];
}

export interface Plan {
  /** The computer as it will be once every stage is applied. */
  computer: ComputerDefinition;
  stages: Stage[];
  /** What the plan leaves as it is but an operator should know. */
  warnings: string[];
}

const ROOT_MODE = 0o755;
const PARTITION_MODE = 0o750;
const IPV4_PARTITION_NETMASK = '255.255.255.255';
/** Partition n gets IPv6 host part n + 2 (HEAD's numbering: ::1 is usually the router). */
const IPV6_FIRST_HOST = 2n;

/**
 * The computer before address planning: stored partitions first (paths
 * recomputed from instance_root, as the original does), then new ones up to
 * partition_amount. A definition file gives the partitions exactly.
 */
export function defineComputer(stored: StoredComputer | undefined, options: FormatOptions, fromDefinitionFile = false): ComputerDefinition {
  const known = stored?.partitions ?? [];
  if (!fromDefinitionFile && known.length > options.partitionAmount) {
    throw new FormatError(FormatErrorCode.SHRINK, `partition_amount is ${options.partitionAmount} but ${known.length} partitions are already defined in ${options.computerXml}; partitions cannot be removed`);
  }
  const partitions: PartitionDefinition[] = known.map((partition) => ({ ...partition, path: join(options.instanceRoot, partition.reference), addressList: [...partition.addressList] }));
  for (let index = known.length; !fromDefinitionFile && index < options.partitionAmount; index += 1) {
    const reference = `${options.partitionBaseName}${index}`;
    partitions.push({ reference, path: join(options.instanceRoot, reference), user: `${options.userBaseName}${index}`, tap: `${options.tapBaseName}${index}`, addressList: [] });
  }
  return {
    reference: options.computerId,
    address: stored?.address ?? null,
    netmask: stored?.netmask ?? null,
    softwareUser: fromDefinitionFile ? stored?.softwareUser ?? options.softwareUser : options.softwareUser,
    instanceRoot: options.instanceRoot,
    softwareRoot: options.softwareRoot,
    ipv6Interface: options.ipv6Interface ?? null,
    interface: options.interfaceName === undefined ? null : {
      name: options.interfaceName,
      ipv4LocalNetwork: options.ipv4LocalNetwork ? formatCidr(options.ipv4LocalNetwork) : null,
      ipv6Interface: options.ipv6Interface ?? null,
    },
    partitions,
  };
}

/** Every external command a plan may run. */
const COMMANDS = ['ip', 'getent', 'groupadd', 'useradd', 'usermod'];

/** What the planner needs probed: the users and paths it may change, the commands it may run. */
export function probeRequestFor(computer: ComputerDefinition): ProbeRequest {
  return {
    users: [computer.softwareUser, ...computer.partitions.map((partition) => partition.user)],
    paths: [computer.instanceRoot, computer.softwareRoot, ...computer.partitions.map((partition) => partition.path)],
    network: true,
    commands: COMMANDS,
  };
}

/** The command a step runs, if any (chown looks the user up with getent). */
function commandOf(step: Step): string | undefined {
  switch (step.kind) {
    case 'run': return step.argv[0];
    case 'address': return 'ip';
    case 'chown': return 'getent';
    default: return undefined;
  }
}

export function planFormat(draft: ComputerDefinition, options: FormatOptions, state: SystemState): Plan {
  checkInterfaces(options, state);
  const addresses = new AddressPlanner(draft, options, state);
  const computerAddress = addresses.computerAddress();
  const computer: ComputerDefinition = { ...draft, ...computerAddress, partitions: [] };

  const warnings: string[] = [];
  const stages: Stage[] = [{ name: 'computer', steps: [
    ...directorySteps(state, computer.instanceRoot, ROOT_MODE),
    ...directorySteps(state, computer.softwareRoot, ROOT_MODE),
    ...(options.alterUser ? [...userSteps(state, computer.softwareUser, computer.softwareRoot, []), ...ownerSteps(state, computer.softwareRoot, computer.softwareUser)] : []),
  ] }];

  draft.partitions.forEach((partition, index) => {
    const steps: Step[] = [];
    if (options.alterUser) steps.push(...userSteps(state, partition.user, partition.path, [computer.softwareUser]));
    if (options.alterNetwork && options.createTap) {
      const owner = options.alterUser || state.users.has(partition.user) ? partition.user : 'root';
      steps.push(...tapSteps(state, partition.tap, owner, options.interfaceName!));
      const tapUser = state.interfaces.get(partition.tap)?.tapUser;
      // `ip` cannot change the owner of an existing tap, and re-creating it would cut off whatever uses it
      if (tapUser !== undefined && tapUser !== owner) warnings.push(`tap ${partition.tap} belongs to ${tapUser}, not ${owner}; left as it is`);
    }
    steps.push(...directorySteps(state, partition.path, PARTITION_MODE));
    if (options.alterUser) steps.push(...ownerSteps(state, partition.path, partition.user));
    const planned = addresses.partitionAddresses(index, partition.addressList);
    steps.push(...planned.steps);
    computer.partitions.push({ ...partition, addressList: planned.addressList });
    stages.push({ name: partition.reference, partition: index, steps });
  });
  const missing = [...new Set(stages.flatMap((stage) => stage.steps.map(commandOf)))].filter((command) => command !== undefined && state.missingCommands.has(command));
  if (missing.length > 0) throw new FormatError(FormatErrorCode.COMMAND, `required command(s) not found: ${missing.join(', ')} (install iproute2 / passwd, or set alter_user and alter_network to False)`);
  return { computer, stages, warnings };
}

function checkInterfaces(options: FormatOptions, state: SystemState): void {
  for (const [option, name] of [['interface_name', options.interfaceName], ['ipv6_interface', options.ipv6Interface]] as const) {
    if (name !== undefined && !state.interfaces.has(name)) {
      throw new FormatError(FormatErrorCode.INTERFACE, `option '${option}': network interface ${JSON.stringify(name)} does not exist`);
    }
  }
}

function directorySteps(state: SystemState, path: string, mode: number): Step[] {
  const current = state.paths.get(path);
  if (!current) return [{ kind: 'mkdir', path, mode }];
  if (!current.isDirectory) throw new FormatError(FormatErrorCode.PATH, `${path} exists and is not a directory`);
  return (current.mode & 0o7777) === mode ? [] : [{ kind: 'chmod', path, mode }];
}

function ownerSteps(state: SystemState, path: string, user: string): Step[] {
  const current = state.paths.get(path);
  const owner = state.users.get(user);
  if (current && owner && current.uid === owner.uid && current.gid === owner.gid) return [];
  return [{ kind: 'chown', path, user }];
}

/** A user with a group of its own name, home at `home`, member of `groups`; login disabled. */
function userSteps(state: SystemState, name: string, home: string, groups: string[]): Step[] {
  const steps: Step[] = [];
  if (!state.groups.has(name)) steps.push({ kind: 'run', argv: ['groupadd', name] });
  const user = state.users.get(name);
  const supplementary = groups.length > 0 ? ['-G', groups.join(',')] : [];
  if (!user) {
    steps.push({ kind: 'run', argv: ['useradd', '-d', home, '-g', name, '-s', '/bin/false', ...supplementary, '-r', name] });
  } else if (user.home !== home || !user.groups.includes(name) || groups.some((group) => !user.groups.includes(group))) {
    // -a: add the groups, never drop groups an administrator gave the user
    steps.push({ kind: 'run', argv: ['usermod', '-d', home, '-g', name, '-s', '/bin/false', ...(groups.length > 0 ? ['-a', ...supplementary] : []), name] });
  }
  return steps;
}

function tapSteps(state: SystemState, tap: string, owner: string, bridgeCandidate: string): Step[] {
  const current = state.interfaces.get(tap);
  const steps: Step[] = [];
  if (!current) steps.push({ kind: 'run', argv: ['ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap', 'user', owner] });
  if (!current?.up) steps.push({ kind: 'run', argv: ['ip', 'link', 'set', tap, 'up'] });
  // 0.32 put taps in the bridge (brctl addif); `ip link set master` does the same
  if (state.interfaces.get(bridgeCandidate)?.kind === 'bridge' && current?.master !== bridgeCandidate) {
    steps.push({ kind: 'run', argv: ['ip', 'link', 'set', tap, 'master', bridgeCandidate] });
  }
  return steps;
}

/** Computer and partition addresses, with the steps that put them on the interfaces. */
class AddressPlanner {
  /** canonical address → index of the partition holding it (-1: the computer). */
  private readonly claims = new Map<string, number>();
  private base6?: InterfaceAddress;
  /** Non-root mode: the one IPv6 address all partitions share. */
  private shared6?: AddressEntry;

  constructor(private readonly draft: ComputerDefinition, private readonly options: FormatOptions, private readonly state: SystemState) {
    draft.partitions.forEach((partition, index) => {
      for (const entry of partition.addressList) {
        if (familyOf(entry.addr) !== undefined) this.claims.set(canonicalAddress(entry.addr), index);
      }
    });
  }

  /**
   * The computer's own address: the stored one while the IPv6 interface
   * still has it, else its first global IPv6 no partition uses.
   */
  computerAddress(): { address: string | null; netmask: string | null } {
    const name = this.options.ipv6Interface;
    const globals = (name === undefined ? [] : this.state.interfaces.get(name)?.addresses ?? [])
      .filter((address) => address.family === 6 && isGlobalScope(address.addr))
      // the widest network first, then the lowest address, as HEAD prefers
      .sort((a, b) => a.prefixlen - b.prefixlen || compare(parseAddress(a.addr).value, parseAddress(b.addr).value));
    const stored = this.draft.address;
    if (!this.options.alterNetwork && globals.length === 0) return this.sharedComputerAddress(name);
    const chosen = globals.find((address) => stored !== null && familyOf(stored) === 6 && canonicalAddress(address.addr) === canonicalAddress(stored))
      ?? globals.find((address) => !this.claims.has(canonicalAddress(address.addr)));
    if (!chosen) {
      if (this.options.alterNetwork) {
        throw new FormatError(FormatErrorCode.NO_IPV6, `option 'ipv6_interface' (or 'interface_name'): interface ${JSON.stringify(name)} has no global IPv6 address to build partition addresses from (link-local and loopback addresses do not count)`);
      }
      return { address: this.draft.address, netmask: this.draft.netmask };
    }
    this.base6 = chosen;
    this.claims.set(canonicalAddress(chosen.addr), -1);
    return { address: canonicalAddress(chosen.addr), netmask: prefixToNetmask(6, chosen.prefixlen) };
  }

  /**
   * Without altering the network (a node under a home directory), only an
   * address the interface already has is useful: every new partition shares
   * it, loopback (::1 on lo) included. A stored computer address (from a
   * previous run or a definition file) is kept, as the original does
   * without an interface.
   */
  private sharedComputerAddress(name: string | undefined): { address: string | null; netmask: string | null } {
    const usable = (name === undefined ? [] : this.state.interfaces.get(name)?.addresses ?? [])
      .find((address) => address.family === 6 && !address.addr.toLowerCase().startsWith('fe80:'));
    if (usable) this.shared6 = { addr: canonicalAddress(usable.addr), netmask: prefixToNetmask(6, usable.prefixlen) };
    if (this.draft.address !== null || !this.shared6) return { address: this.draft.address, netmask: this.draft.netmask };
    return { address: this.shared6.addr, netmask: this.shared6.netmask };
  }

  /** One local IPv4 and one global IPv6 per partition, keeping stored ones that still fit. */
  partitionAddresses(index: number, stored: AddressEntry[]): { addressList: AddressEntry[]; steps: Step[] } {
    const alter = this.options.alterNetwork;
    const storedOf = (family: 4 | 6): AddressEntry | undefined => stored.find((entry) => familyOf(entry.addr) === family);
    if (!alter && stored.length > 0) return { addressList: stored, steps: [] };
    const unknown = stored.find((entry) => familyOf(entry.addr) === undefined);
    if (unknown) throw new FormatError(FormatErrorCode.DEFINITION, `partition ${this.draft.partitions[index]!.reference}: stored address ${JSON.stringify(unknown.addr)} is not an IP address`);
    const addressList: AddressEntry[] = [];
    const steps: Step[] = [];
    const ipv4 = this.ipv4(index, storedOf(4));
    if (ipv4) {
      addressList.push(ipv4.entry);
      steps.push(...ipv4.steps);
    }
    const ipv6 = this.shared6 ? { entry: this.shared6, steps: [] } : this.ipv6(index, storedOf(6));
    if (ipv6) {
      addressList.push(ipv6.entry);
      steps.push(...ipv6.steps);
    }
    return { addressList, steps };
  }

  private ipv4(index: number, stored: AddressEntry | undefined): { entry: AddressEntry; steps: Step[] } | undefined {
    const network = this.options.ipv4LocalNetwork;
    const target = this.options.interfaceName;
    if (stored && this.usable(index, target, stored.addr, 32)) return this.placed(target, stored.addr, 32, IPV4_PARTITION_NETMASK);
    if (!network) return undefined;
    const [first, last] = network.prefixlen >= 31 ? [0n, sizeOf(network) - 1n] : [1n, sizeOf(network) - 2n];
    const found = this.firstFree(network, first, last, (candidate) => this.usable(index, target, candidate, 32));
    if (found === undefined) throw new FormatError(FormatErrorCode.ADDRESS, `no free address left in ipv4_local_network ${formatCidr(network)} for partition ${this.draft.partitions[index]!.reference}`);
    this.claims.set(found, index);
    return this.placed(target, found, 32, IPV4_PARTITION_NETMASK);
  }

  private ipv6(index: number, stored: AddressEntry | undefined): { entry: AddressEntry; steps: Step[] } | undefined {
    const base = this.base6;
    const target = this.options.ipv6Interface;
    if (!base) return undefined;
    const network = networkOf(base.addr, base.prefixlen);
    const netmask = prefixToNetmask(6, base.prefixlen);
    if (stored) {
      const onTarget = this.onInterface(target, stored.addr);
      if (onTarget && this.notClaimedByOther(index, stored.addr)) return { entry: stored, steps: [] };
      if (netmaskToPrefix(stored.netmask) === base.prefixlen && contains(network, stored.addr) && this.usable(index, target, stored.addr, base.prefixlen)) {
        return this.placed(target, stored.addr, base.prefixlen, netmask);
      }
    }
    const found = this.firstFree(network, IPV6_FIRST_HOST + BigInt(index), sizeOf(network) - 1n, (candidate) => this.usable(index, target, candidate, base.prefixlen));
    if (found === undefined) throw new FormatError(FormatErrorCode.ADDRESS, `no free IPv6 address left in ${formatCidr(network)} for partition ${this.draft.partitions[index]!.reference}`);
    this.claims.set(found, index);
    return this.placed(target, found, base.prefixlen, netmask);
  }

  /** The entry, plus the step adding it when the network is ours to alter and it is not there yet. */
  private placed(target: string | undefined, addr: string, prefixlen: number, netmask: string): { entry: AddressEntry; steps: Step[] } {
    const family = familyOf(addr)!;
    const steps: Step[] = this.options.alterNetwork && target !== undefined && !this.onInterface(target, addr)
      ? [{ kind: 'address', interface: target, address: { addr: canonicalAddress(addr), prefixlen, family } }]
      : [];
    return { entry: { addr: canonicalAddress(addr), netmask }, steps };
  }

  /**
   * Free for partition `index`: no other partition holds it, no other
   * interface has it, and if the target interface has it, it is a leftover
   * of an interrupted run (same prefix length as we add), not the host's own.
   */
  private usable(index: number, target: string | undefined, addr: string, prefixlen: number): boolean {
    if (!this.notClaimedByOther(index, addr)) return false;
    for (const [name, state] of this.state.interfaces) {
      const found = state.addresses.find((address) => canonicalAddress(address.addr) === canonicalAddress(addr));
      if (!found) continue;
      if (name !== target || found.prefixlen !== prefixlen) return false;
    }
    return true;
  }

  private notClaimedByOther(index: number, addr: string): boolean {
    const owner = this.claims.get(canonicalAddress(addr));
    return owner === undefined || owner === index;
  }

  private onInterface(target: string | undefined, addr: string): boolean {
    if (target === undefined) return false;
    return this.state.interfaces.get(target)?.addresses.some((address) => canonicalAddress(address.addr) === canonicalAddress(addr)) ?? false;
  }

  private firstFree(network: Network, first: bigint, last: bigint, free: (candidate: string) => boolean): string | undefined {
    // every taken address can push the answer one further, so this bound is never reached on a usable network
    const bound = first + BigInt(this.claims.size + this.addressCount() + 1);
    for (let offset = first; offset <= last && offset <= bound; offset += 1n) {
      const candidate = addressAt(network, offset);
      if (free(candidate)) return candidate;
    }
    return undefined;
  }

  private addressCount(): number {
    let count = 0;
    for (const state of this.state.interfaces.values()) count += state.addresses.length;
    return count;
  }
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}


/** One line per step, as a shell command where there is one. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'mkdir': return `mkdir -p -m ${step.mode.toString(8)} ${step.path}`;
    case 'chmod': return `chmod ${step.mode.toString(8)} ${step.path}`;
    case 'chown': return `chown ${step.user}:${step.user} ${step.path}`;
    case 'run': return step.argv.join(' ');
    case 'address': return `ip addr add ${step.address.addr}/${step.address.prefixlen} dev ${step.interface}`;
  }
}

/** The plan as text: the computer, then each stage's steps (or that nothing changes). */
export function describePlan(plan: Plan): string {
  const lines = [`computer ${plan.computer.reference}: address ${plan.computer.address ?? 'none'}, ${plan.computer.partitions.length} partitions`];
  for (const stage of plan.stages) {
    const partition = stage.partition === undefined ? undefined : plan.computer.partitions[stage.partition];
    const addresses = partition ? ` [${partition.addressList.map((entry) => entry.addr).join(', ')}]` : '';
    lines.push(`${stage.name}${addresses}: ${stage.steps.length === 0 ? 'nothing to change' : `${stage.steps.length} change(s)`}`);
    for (const step of stage.steps) lines.push(`  ${describeStep(step)}`);
  }
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

export function planChangesNothing(plan: Plan): boolean {
  return plan.stages.every((stage) => stage.steps.length === 0);
}
