import type { MarshalDict } from '../../slap/index.ts';

/**
 * The proxy's data, as the routes see it. A backend keeps these records and
 * nothing else: parameter and connection documents are opaque text to it
 * (the routes encode and decode them), slave parameters are typed values.
 */

export type SoftwareState = 'available' | 'destroyed';
export type InstanceState = 'started' | 'stopped' | 'destroyed';
export type SlapState = 'free' | 'busy';

export interface ComputerRecord {
  reference: string;
  address: string | null;
  netmask: string | null;
}

export interface SoftwareRecord {
  url: string;
  computerReference: string;
  requestedState: SoftwareState;
  /** Last state the node reported (building, available, error, ...), null before any report. */
  reportedState: string | null;
  /** Text of the last error the node reported, null when the last report was not an error. */
  errorLog: string | null;
}

export interface PartitionRecord {
  computerReference: string;
  reference: string;
  slapState: SlapState;
  softwareRelease: string | null;
  softwareType: string | null;
  /** The instance title (`partition_reference` in the original). */
  title: string | null;
  /** Title of the root of the requester's tree; '' for a root instance. */
  requestedBy: string;
  requestedState: InstanceState;
  /** Instance parameters as an `<instance>` document (opaque to the store). */
  parameterXml: string | null;
  /** Published connection parameters as an `<instance>` document (opaque to the store). */
  connectionXml: string | null;
  /** Seconds since the epoch of the last change the node must process. */
  timestamp: number | null;
  reportedState: string | null;
  errorLog: string | null;
}

export interface AddressRecord {
  computerReference: string;
  partitionReference: string;
  /** Network interface (tap) name. */
  interface: string;
  address: string;
  netmask: string | null;
}

export interface SlaveRecord {
  computerReference: string;
  /** `<requested_by>_<title>`. */
  reference: string;
  askedBy: string;
  /** Host partition id; null once the host was freed. */
  hostedBy: string | null;
  softwareType: string;
  /** Request parameters with their original types. */
  parameters: MarshalDict;
  connectionXml: string | null;
  /** Whether the slave is in its host's slave_instance_list (false once destroyed). */
  listed: boolean;
}

export interface PartitionLayout {
  reference: string;
  addresses: { interface: string; address: string; netmask: string | null }[];
}

export type PartitionChanges = Partial<Omit<PartitionRecord, 'computerReference' | 'reference'>>;

/** Operations available inside one transaction. */
export interface StoreTransaction {
  /**
   * Text that changes whenever the stored data may have changed (a write by
   * this store or by another process sharing the database): answers built
   * from the store can be reused while it stays the same.
   */
  changeMark(): Promise<string>;
  getComputer(reference: string): Promise<ComputerRecord | undefined>;
  listComputers(): Promise<ComputerRecord[]>;
  /**
   * Registers (or re-registers) a computer with exactly these partitions:
   * unlisted partitions and the slaves they host are removed, listed ones
   * are added when new (existing ones keep their instance), addresses replaced.
   */
  formatComputer(computer: ComputerRecord, partitions: PartitionLayout[]): Promise<void>;

  listSoftware(computerReference?: string): Promise<SoftwareRecord[]>;
  supplySoftware(url: string, computerReference: string, state: SoftwareState): Promise<void>;
  deleteSoftware(url: string, computerReference: string): Promise<void>;
  reportSoftware(url: string, computerReference: string, state: string, errorLog: string | null): Promise<void>;

  /** Partitions in registration order; all computers when no reference is given. */
  listPartitions(computerReference?: string): Promise<PartitionRecord[]>;
  getPartition(computerReference: string, reference: string): Promise<PartitionRecord | undefined>;
  /** The instance with that title requested by that tree root ('' for roots), on any computer. */
  findInstance(title: string, requestedBy: string): Promise<PartitionRecord | undefined>;
  /** First free partition of the computer, in registration order. */
  findFreePartition(computerReference: string): Promise<PartitionRecord | undefined>;
  /** First partition of the computer running that release (and type, and partition id, when given). */
  findHostPartition(computerReference: string, softwareRelease: string, softwareType: string | null, partitionReference: string | null): Promise<PartitionRecord | undefined>;
  /** Instances whose tree root is `rootTitle`, ordered by title. */
  listChildren(rootTitle: string): Promise<PartitionRecord[]>;
  updatePartition(computerReference: string, reference: string, changes: PartitionChanges): Promise<void>;
  setChildrenRequestedState(rootTitle: string, state: InstanceState): Promise<void>;
  /** Re-points the children of a renamed root. */
  renameTreeRoot(oldTitle: string, newTitle: string): Promise<void>;
  /** Sets the timestamp of a tree: the root with that title and its children. */
  touchTree(rootTitle: string, timestamp: number): Promise<void>;
  /** Returns the partition to the free pool and detaches the slaves it hosted. */
  freePartition(computerReference: string, reference: string): Promise<void>;
  reportPartition(computerReference: string, reference: string, state: string, errorLog: string | null): Promise<void>;

  listAddresses(computerReference: string, partitionReference: string): Promise<AddressRecord[]>;

  getSlave(computerReference: string, reference: string): Promise<SlaveRecord | undefined>;
  /** Slaves listed on a host, in the order they were added to its list. */
  listHostedSlaves(computerReference: string, hostReference: string): Promise<SlaveRecord[]>;
  listSlaves(): Promise<SlaveRecord[]>;
  /** Inserts or updates a slave; `listed` true appends it to the end of its host's list when it was not listed. */
  putSlave(slave: SlaveRecord): Promise<void>;
  /** Stores connection parameters a host published for a slave (any computer), re-pointing it to that host. */
  setSlaveConnection(reference: string, hostReference: string, connectionXml: string): Promise<void>;
}

/** A proxy database. Every request runs in exactly one transaction. */
export interface ProxyStore {
  /** Runs `work` in a transaction that is committed when it resolves and rolled back when it throws. */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
