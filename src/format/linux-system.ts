/**
 * The real System: node:fs for directories, getent/groupadd/useradd/usermod
 * for users, `ip` for the network. Given a network namespace, every `ip`
 * command runs in it (`ip -n NS`), which is how tests keep their interfaces
 * away from the host; users and directories are not namespaced.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, chown, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/index.ts';
import { FormatError, FormatErrorCode } from './errors.ts';
import type { InterfaceAddress, InterfaceState, PathState, ProbeRequest, System, SystemState, UserState } from './system.ts';

export interface LinuxSystemOptions {
  logger: Logger;
  /** Network namespace for every `ip` command (tests); undefined = the current one. */
  netns?: string;
  /** How long to wait for IPv6 duplicate address detection. */
  dadTimeoutMs?: number;
}

/** Child processes get this environment only: a known PATH and untranslated messages to parse. */
const COMMAND_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
const DAD_POLL_MS = 100;

interface CommandResult {
  code: number;
  output: string;
}

export class LinuxSystem implements System {
  private readonly logger: Logger;
  private readonly netns?: string;
  private readonly dadTimeoutMs: number;

  constructor(options: LinuxSystemOptions) {
    if (options.netns !== undefined && !/^[A-Za-z0-9_.-]+$/.test(options.netns)) throw new TypeError(`netns: invalid namespace name ${JSON.stringify(options.netns)}`);
    this.logger = options.logger;
    this.netns = options.netns;
    this.dadTimeoutMs = options.dadTimeoutMs ?? 10_000;
  }

  async probe(request: ProbeRequest): Promise<SystemState> {
    const missingCommands = await this.missing(request.commands);
    const [interfaces, accounts, paths] = await Promise.all([
      request.network && !missingCommands.has('ip') ? this.interfaces() : Promise.resolve(new Map<string, InterfaceState>()),
      this.accounts(request.users),
      this.paths(request.paths),
    ]);
    return { isRoot: process.getuid?.() === 0, interfaces, users: accounts.users, groups: accounts.groups, paths, missingCommands };
  }

  async mkdir(path: string, mode: number): Promise<void> {
    this.logger.debug('mkdir', { path, mode: mode.toString(8) });
    await mkdir(path, { recursive: true, mode });
    // mkdir's mode is filtered by the umask
    await chmod(path, mode);
  }

  async chmod(path: string, mode: number): Promise<void> {
    this.logger.debug('chmod', { path, mode: mode.toString(8) });
    await chmod(path, mode);
  }

  async chown(path: string, user: string): Promise<void> {
    const entry = parsePasswd((await this.mustRun(['getent', 'passwd', user])).trim());
    if (!entry) throw new FormatError(FormatErrorCode.COMMAND, `user ${user} not found`);
    this.logger.debug('chown', { path, user, uid: entry.uid, gid: entry.gid });
    await chown(path, entry.uid, entry.gid);
  }

  run(argv: string[]): Promise<string> {
    return this.mustRun(argv);
  }

  async addAddress(interfaceName: string, address: InterfaceAddress): Promise<void> {
    const cidr = `${address.addr}/${address.prefixlen}`;
    const added = await this.exec(['ip', 'addr', 'add', cidr, 'dev', interfaceName]);
    // "already assigned": a previous, interrupted run added it
    if (added.code !== 0 && !/exists|already assigned/i.test(added.output)) throw commandError(['ip', 'addr', 'add', cidr, 'dev', interfaceName], added);
    if (address.family === 6) await this.waitForDad(interfaceName, address, cidr);
  }

  /** A duplicate IPv6 address stays "tentative"/"dadfailed"; the original removed it and gave up on it. */
  private async waitForDad(interfaceName: string, address: InterfaceAddress, cidr: string): Promise<void> {
    const deadline = Date.now() + this.dadTimeoutMs;
    for (;;) {
      const state = (await this.interfaces(interfaceName)).get(interfaceName);
      const found = state?.addresses.find((entry) => entry.addr === address.addr);
      if (found && !found.tentative) return;
      if (!found || found.dadFailed || Date.now() > deadline) {
        await this.exec(['ip', 'addr', 'del', cidr, 'dev', interfaceName]);
        const why = !found ? 'it vanished after being added' : found.dadFailed ? 'another host already uses it (duplicate address detection failed)' : 'duplicate address detection did not finish';
        throw new FormatError(FormatErrorCode.ADDRESS, `cannot add ${cidr} to ${interfaceName}: ${why}`);
      }
      await sleep(DAD_POLL_MS);
    }
  }

  private async interfaces(only?: string): Promise<Map<string, ProbedInterface>> {
    const output = await this.mustRun(['ip', '-d', '-j', 'addr', 'show', ...(only === undefined ? [] : ['dev', only])]);
    const result = new Map<string, ProbedInterface>();
    for (const link of JSON.parse(output || '[]') as IpLink[]) {
      result.set(link.ifname, {
        name: link.ifname,
        kind: link.linkinfo?.info_kind,
        up: link.flags?.includes('UP') ?? false,
        master: link.master,
        tapUser: link.linkinfo?.info_data?.user === undefined ? undefined : String(link.linkinfo.info_data.user),
        addresses: (link.addr_info ?? []).filter((entry) => entry.family === 'inet' || entry.family === 'inet6').map((entry) => ({
          addr: entry.local,
          prefixlen: entry.prefixlen,
          family: entry.family === 'inet' ? 4 : 6,
          tentative: entry.tentative === true,
          dadFailed: entry.dadfailed === true,
        })),
      });
    }
    return result;
  }

  /** Users and groups through NSS (getent), read once each. */
  private async accounts(names: string[]): Promise<{ users: Map<string, UserState>; groups: Set<string> }> {
    const [passwd, group] = await Promise.all([this.mustRun(['getent', 'passwd']), this.mustRun(['getent', 'group'])]);
    const groupsByGid = new Map<number, string>();
    const membership = new Map<string, string[]>();
    const groups = new Set<string>();
    for (const line of group.split('\n')) {
      const [name, , gid, members] = line.split(':');
      if (!name || gid === undefined) continue;
      groups.add(name);
      groupsByGid.set(Number(gid), name);
      for (const member of (members ?? '').split(',').filter(Boolean)) membership.set(member, [...(membership.get(member) ?? []), name]);
    }
    const wanted = new Set(names);
    const users = new Map<string, UserState>();
    for (const line of passwd.split('\n')) {
      const entry = parsePasswd(line);
      if (!entry || !wanted.has(entry.name)) continue;
      const primary = groupsByGid.get(entry.gid);
      users.set(entry.name, { ...entry, groups: [...(primary ? [primary] : []), ...(membership.get(entry.name) ?? [])] });
    }
    return { users, groups };
  }

  /** Commands not found as executables on the PATH child processes get. */
  private async missing(commands: string[]): Promise<Set<string>> {
    const found = await Promise.all(commands.map(async (command) => {
      for (const directory of COMMAND_ENV.PATH.split(':')) {
        try {
          await access(join(directory, command), constants.X_OK);
          return true;
        } catch {
          // not in this directory
        }
      }
      return false;
    }));
    return new Set(commands.filter((_, index) => !found[index]));
  }

  private async paths(paths: string[]): Promise<Map<string, PathState>> {
    const result = new Map<string, PathState>();
    await Promise.all(paths.map(async (path) => {
      try {
        const info = await stat(path);
        result.set(path, { isDirectory: info.isDirectory(), mode: info.mode & 0o7777, uid: info.uid, gid: info.gid });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }));
    return result;
  }

  private async mustRun(argv: string[]): Promise<string> {
    const result = await this.exec(argv);
    if (result.code !== 0) throw commandError(argv, result);
    return result.output;
  }

  private exec(argv: string[]): Promise<CommandResult> {
    const [command, ...args] = argv[0] === 'ip' && this.netns !== undefined ? ['ip', '-n', this.netns, ...argv.slice(1)] : argv;
    this.logger.debug('run', { command: [command, ...args].join(' ') });
    return new Promise((resolve, reject) => {
      execFile(command!, args, { env: COMMAND_ENV, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new FormatError(FormatErrorCode.COMMAND, `cannot run ${command}: ${error.message}`, { cause: error }));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}` });
      });
    });
  }
}

/** An address with its duplicate-address-detection state. */
interface ProbedAddress extends InterfaceAddress {
  tentative: boolean;
  dadFailed: boolean;
}

type ProbedInterface = Omit<InterfaceState, 'addresses'> & { addresses: ProbedAddress[] };

/** The fields of `ip -d -j addr show` read here. */
interface IpLink {
  ifname: string;
  flags?: string[];
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: { user?: string | number } };
  addr_info?: { family: string; local: string; prefixlen: number; tentative?: boolean; dadfailed?: boolean }[];
}

function parsePasswd(line: string): { name: string; uid: number; gid: number; home: string } | undefined {
  const [name, , uid, gid, , home] = line.split(':');
  if (!name || uid === undefined || gid === undefined || home === undefined) return undefined;
  return { name, uid: Number(uid), gid: Number(gid), home };
}

function commandError(argv: string[], result: CommandResult): FormatError {
  return new FormatError(FormatErrorCode.COMMAND, `${argv.join(' ')} failed (exit ${result.code}): ${result.output.trim() || 'no output'}`);
}
