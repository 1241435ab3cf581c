/**
 * The System slapformat acts on: a read-only probe of the machine, and the
 * few primitive changes a plan is made of. The planner only sees the probe's
 * result; the applier only calls these methods. The real implementation is
 * LinuxSystem (linux-system.ts).
 */

export interface InterfaceAddress {
  addr: string;
  prefixlen: number;
  family: 4 | 6;
}

export interface InterfaceState {
  name: string;
  /** `ip -d link` kind: bridge, dummy, veth, tun... (undefined for a plain device). */
  kind?: string;
  /** Administratively up. */
  up: boolean;
  /** Bridge this interface is enslaved to. */
  master?: string;
  /** For a tap: the user owning it. */
  tapUser?: string;
  addresses: InterfaceAddress[];
}

export interface UserState {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** All groups the user belongs to, the primary one included. */
  groups: string[];
}

export interface PathState {
  isDirectory: boolean;
  mode: number;
  uid: number;
  gid: number;
}

/** What the planner needs to know about the machine. */
export interface SystemState {
  isRoot: boolean;
  /** Network interfaces by name; empty when the network was not probed. */
  interfaces: Map<string, InterfaceState>;
  users: Map<string, UserState>;
  groups: Set<string>;
  paths: Map<string, PathState>;
  /** Probed commands that cannot be found. */
  missingCommands: Set<string>;
}

export interface ProbeRequest {
  users: string[];
  paths: string[];
  network: boolean;
  /** External commands whose presence to check (so a missing one stops the run before any change). */
  commands: string[];
}

export interface System {
  probe(request: ProbeRequest): Promise<SystemState>;
  /** Creates a directory (and its parents) if missing; mode is then set exactly. */
  mkdir(path: string, mode: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Gives a path to a user and that user's primary group. */
  chown(path: string, user: string): Promise<void>;
  /** Runs an external command (groupadd, useradd, ip...); throws FORMAT_ERR_COMMAND on failure. */
  run(argv: string[]): Promise<string>;
  /** Adds an address and, for IPv6, waits for duplicate address detection to pass. */
  addAddress(interfaceName: string, address: InterfaceAddress): Promise<void>;
}
