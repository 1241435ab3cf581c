import Database from 'better-sqlite3';
import type { Logger } from '../../log/index.ts';
import { ProxyError } from '../errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import { decodeTypedJson, encodeTypedJson } from '../typed-json.ts';
import type {
  AddressRecord, ComputerRecord, InstanceState, PartitionChanges, PartitionLayout, PartitionRecord, ProxyStore,
  SlaveRecord, SoftwareRecord, SoftwareState, StoreTransaction,
} from './types.ts';

type Row = Record<string, unknown>;

/** Partition record field → column, for updates. */
const PARTITION_COLUMNS: Record<keyof PartitionChanges, string> = {
  slapState: 'slap_state',
  softwareRelease: 'software_release',
  softwareType: 'software_type',
  title: 'title',
  requestedBy: 'requested_by',
  requestedState: 'requested_state',
  parameterXml: 'parameter_xml',
  connectionXml: 'connection_xml',
  timestamp: 'timestamp',
  reportedState: 'reported_state',
  errorLog: 'error_log',
};

export interface SqliteStoreOptions {
  databasePath: string;
  logger: Logger;
  /** `FULL` (default) also survives power loss; `NORMAL` survives a crash of the proxy only. */
  synchronous?: 'FULL' | 'NORMAL';
}

/**
 * The default store: one SQLite file in WAL mode. better-sqlite3 is
 * synchronous, so transactions are queued on this object and each one is
 * `BEGIN IMMEDIATE` (it takes the write lock at once), which also keeps
 * other processes sharing the file from allocating the same partition.
 */
export class SqliteStore implements ProxyStore {
  readonly #db: Database.Database;
  readonly #tx: StoreTransaction;
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SqliteStoreOptions) {
    if (typeof options.databasePath !== 'string' || options.databasePath === '') {
      throw new ProxyError('PROXY_ERR_CONFIG', 'databasePath must be a non-empty path');
    }
    try {
      this.#db = new Database(options.databasePath);
    } catch (cause) {
      throw new ProxyError('PROXY_ERR_DATABASE', `cannot open database ${options.databasePath}: ${(cause as Error).message}`, { cause });
    }
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      this.#db.pragma('busy_timeout = 10000');
      migrate(this.#db, options.databasePath, options.logger);
      this.#begin = this.#db.prepare('BEGIN IMMEDIATE');
      this.#commit = this.#db.prepare('COMMIT');
      this.#rollback = this.#db.prepare('ROLLBACK');
      this.#tx = new SqliteTransaction(this.#db);
    } catch (error) {
      this.#db.close();
      if (error instanceof ProxyError) throw error;
      throw new ProxyError('PROXY_ERR_DATABASE', `cannot use database ${options.databasePath}: ${(error as Error).message}`, { cause: error });
    }
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.#begin.run();
      try {
        const result = await work(this.#tx);
        this.#commit.run();
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#rollback.run();
        throw error;
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.#queue;
    if (this.#db.open) this.#db.close();
  }
}

function migrate(db: Database.Database, databasePath: string, logger: Logger): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new ProxyError('PROXY_ERR_DATABASE', `${databasePath} has schema version ${version}, newer than this proxy's ${SCHEMA_VERSION}; use a newer slapos.ts`);
  }
  if (version === SCHEMA_VERSION) return;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (version === 0 && tables.length > 0) {
    throw new ProxyError('PROXY_ERR_DATABASE', `${databasePath} was not written by slapos.ts (tables: ${tables.slice(0, 5).join(', ')}); give the proxy a new database path`);
  }
  if (version > 0) {
    // A copy of the old database first, as the original proxy does, so a failed or unwanted upgrade can be undone.
    const backup = `${databasePath}-backup-v${version}to${SCHEMA_VERSION}-${new Date().toISOString().replace(/[:.]/g, '-')}.sqlite`;
    db.prepare('VACUUM INTO ?').run(backup);
    logger.info('proxy database is older: migrating', { database: databasePath, from: version, to: SCHEMA_VERSION, backup });
  }
  db.transaction(() => {
    for (const step of MIGRATIONS) {
      if (step.version <= version) continue;
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    }
  }).immediate();
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function toComputer(row: Row): ComputerRecord {
  return { reference: String(row.reference), address: text(row.address), netmask: text(row.netmask) };
}

function toSoftware(row: Row): SoftwareRecord {
  return {
    url: String(row.url),
    computerReference: String(row.computer_reference),
    requestedState: row.requested_state as SoftwareState,
    reportedState: text(row.reported_state),
    errorLog: text(row.error_log),
  };
}

function toPartition(row: Row): PartitionRecord {
  return {
    computerReference: String(row.computer_reference),
    reference: String(row.reference),
    slapState: row.slap_state === 'busy' ? 'busy' : 'free',
    softwareRelease: text(row.software_release),
    softwareType: text(row.software_type),
    title: text(row.title),
    requestedBy: String(row.requested_by),
    requestedState: row.requested_state as InstanceState,
    parameterXml: text(row.parameter_xml),
    connectionXml: text(row.connection_xml),
    timestamp: row.timestamp === null || row.timestamp === undefined ? null : Number(row.timestamp),
    reportedState: text(row.reported_state),
    errorLog: text(row.error_log),
  };
}

function toAddress(row: Row): AddressRecord {
  return {
    computerReference: String(row.computer_reference),
    partitionReference: String(row.partition_reference),
    interface: String(row.interface),
    address: String(row.address),
    netmask: text(row.netmask),
  };
}

function toSlave(row: Row): SlaveRecord {
  return {
    computerReference: String(row.computer_reference),
    reference: String(row.reference),
    askedBy: String(row.asked_by),
    hostedBy: text(row.hosted_by),
    softwareType: String(row.software_type),
    parameters: decodeTypedJson(String(row.parameters)),
    connectionXml: text(row.connection_xml),
    listed: row.list_position !== null && row.list_position !== undefined,
  };
}

/** The statements, prepared once per database. Methods are synchronous underneath. */
class SqliteTransaction implements StoreTransaction {
  readonly #db: Database.Database;
  readonly #s: ReturnType<typeof prepareStatements>;
  readonly #updates = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
    this.#s = prepareStatements(db);
  }

  async changeMark(): Promise<string> {
    // total_changes(): rows this connection wrote; data_version: commits by other connections.
    return `${this.#s.totalChanges.pluck().get() as number}/${this.#s.dataVersion.pluck().get() as number}`;
  }

  async getComputer(reference: string): Promise<ComputerRecord | undefined> {
    const row = this.#s.getComputer.get(reference) as Row | undefined;
    return row && toComputer(row);
  }

  async listComputers(): Promise<ComputerRecord[]> {
    return (this.#s.listComputers.all() as Row[]).map(toComputer);
  }

  async formatComputer(computer: ComputerRecord, partitions: PartitionLayout[]): Promise<void> {
    const s = this.#s;
    s.upsertComputer.run(computer.reference, computer.address, computer.netmask);
    const keep = JSON.stringify(partitions.map((p) => p.reference));
    s.deleteUnlistedPartitions.run(computer.reference, keep);
    s.deleteUnlistedSlaves.run(computer.reference, keep);
    s.deleteComputerAddresses.run(computer.reference);
    for (const partition of partitions) {
      s.insertPartition.run(computer.reference, partition.reference);
      for (const address of partition.addresses) {
        s.insertAddress.run(computer.reference, partition.reference, address.interface, address.address, address.netmask);
      }
    }
  }

  async listSoftware(computerReference?: string): Promise<SoftwareRecord[]> {
    const rows = computerReference === undefined ? this.#s.listAllSoftware.all() : this.#s.listSoftware.all(computerReference);
    return (rows as Row[]).map(toSoftware);
  }

  async supplySoftware(url: string, computerReference: string, state: SoftwareState): Promise<void> {
    this.#s.supplySoftware.run(url, computerReference, state);
  }

  async deleteSoftware(url: string, computerReference: string): Promise<void> {
    this.#s.deleteSoftware.run(url, computerReference);
  }

  async reportSoftware(url: string, computerReference: string, state: string, errorLog: string | null): Promise<void> {
    this.#s.reportSoftware.run(state, errorLog, url, computerReference);
  }

  async listPartitions(computerReference?: string): Promise<PartitionRecord[]> {
    const rows = computerReference === undefined ? this.#s.listAllPartitions.all() : this.#s.listPartitions.all(computerReference);
    return (rows as Row[]).map(toPartition);
  }

  async getPartition(computerReference: string, reference: string): Promise<PartitionRecord | undefined> {
    const row = this.#s.getPartition.get(computerReference, reference) as Row | undefined;
    return row && toPartition(row);
  }

  async findInstance(title: string, requestedBy: string): Promise<PartitionRecord | undefined> {
    const row = this.#s.findInstance.get(title, requestedBy) as Row | undefined;
    return row && toPartition(row);
  }

  async findFreePartition(computerReference: string): Promise<PartitionRecord | undefined> {
    const row = this.#s.findFreePartition.get(computerReference) as Row | undefined;
    return row && toPartition(row);
  }

  async findHostPartition(computerReference: string, softwareRelease: string, softwareType: string | null, partitionReference: string | null): Promise<PartitionRecord | undefined> {
    const row = this.#s.findHostPartition.get({ computer: computerReference, release: softwareRelease, type: softwareType, partition: partitionReference }) as Row | undefined;
    return row && toPartition(row);
  }

  async listChildren(rootTitle: string): Promise<PartitionRecord[]> {
    return (this.#s.listChildren.all(rootTitle) as Row[]).map(toPartition);
  }

  async updatePartition(computerReference: string, reference: string, changes: PartitionChanges): Promise<void> {
    const fields = (Object.keys(changes) as (keyof PartitionChanges)[]).filter((field) => changes[field] !== undefined).sort();
    if (fields.length === 0) return;
    // One statement per set of changed columns, prepared on first use: a handful exist.
    const key = fields.join(',');
    let statement = this.#updates.get(key);
    if (!statement) {
      const assignments = fields.map((field) => `${PARTITION_COLUMNS[field]} = @${field}`).join(', ');
      statement = this.#db.prepare(`UPDATE partition SET ${assignments} WHERE computer_reference = @computerReference AND reference = @reference`);
      this.#updates.set(key, statement);
    }
    const values: Record<string, unknown> = { computerReference, reference };
    for (const field of fields) values[field] = changes[field];
    statement.run(values);
  }

  async setChildrenRequestedState(rootTitle: string, state: InstanceState): Promise<void> {
    this.#s.setChildrenRequestedState.run(state, rootTitle);
  }

  async renameTreeRoot(oldTitle: string, newTitle: string): Promise<void> {
    this.#s.renameTreeRoot.run(newTitle, oldTitle);
  }

  async touchTree(rootTitle: string, timestamp: number): Promise<void> {
    this.#s.touchTree.run(timestamp, rootTitle, rootTitle);
  }

  async freePartition(computerReference: string, reference: string): Promise<void> {
    this.#s.freePartition.run(computerReference, reference);
    this.#s.detachSlaves.run(computerReference, reference);
  }

  async reportPartition(computerReference: string, reference: string, state: string, errorLog: string | null): Promise<void> {
    this.#s.reportPartition.run(state, errorLog, computerReference, reference);
  }

  async listAddresses(computerReference: string, partitionReference: string): Promise<AddressRecord[]> {
    return (this.#s.listAddresses.all(computerReference, partitionReference) as Row[]).map(toAddress);
  }

  async getSlave(computerReference: string, reference: string): Promise<SlaveRecord | undefined> {
    const row = this.#s.getSlave.get(computerReference, reference) as Row | undefined;
    return row && toSlave(row);
  }

  async listHostedSlaves(computerReference: string, hostReference: string): Promise<SlaveRecord[]> {
    return (this.#s.listHostedSlaves.all(computerReference, hostReference) as Row[]).map(toSlave);
  }

  async listSlaves(): Promise<SlaveRecord[]> {
    return (this.#s.listSlaves.all() as Row[]).map(toSlave);
  }

  async putSlave(slave: SlaveRecord): Promise<void> {
    this.#s.putSlave.run({
      computerReference: slave.computerReference,
      reference: slave.reference,
      askedBy: slave.askedBy,
      hostedBy: slave.hostedBy,
      softwareType: slave.softwareType,
      parameters: encodeTypedJson(slave.parameters),
      connectionXml: slave.connectionXml,
      listed: slave.listed ? 1 : 0,
    });
  }

  async setSlaveConnection(reference: string, hostReference: string, connectionXml: string): Promise<void> {
    this.#s.setSlaveConnection.run(connectionXml, hostReference, reference);
  }
}

function prepareStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    totalChanges: p('SELECT total_changes()'),
    dataVersion: p('PRAGMA data_version'),
    getComputer: p('SELECT * FROM computer WHERE reference = ?'),
    listComputers: p('SELECT * FROM computer ORDER BY rowid'),
    upsertComputer: p(`INSERT INTO computer (reference, address, netmask) VALUES (?, ?, ?)
      ON CONFLICT (reference) DO UPDATE SET address = excluded.address, netmask = excluded.netmask`),
    deleteUnlistedPartitions: p('DELETE FROM partition WHERE computer_reference = ? AND reference NOT IN (SELECT value FROM json_each(?))'),
    deleteUnlistedSlaves: p('DELETE FROM slave WHERE computer_reference = ? AND hosted_by NOT IN (SELECT value FROM json_each(?))'),
    deleteComputerAddresses: p('DELETE FROM partition_address WHERE computer_reference = ?'),
    insertPartition: p('INSERT OR IGNORE INTO partition (computer_reference, reference) VALUES (?, ?)'),
    insertAddress: p('INSERT INTO partition_address (computer_reference, partition_reference, interface, address, netmask) VALUES (?, ?, ?, ?, ?)'),

    listSoftware: p('SELECT * FROM software WHERE computer_reference = ? ORDER BY rowid'),
    listAllSoftware: p('SELECT * FROM software ORDER BY computer_reference, rowid'),
    supplySoftware: p(`INSERT INTO software (url, computer_reference, requested_state) VALUES (?, ?, ?)
      ON CONFLICT (url, computer_reference) DO UPDATE SET requested_state = excluded.requested_state`),
    deleteSoftware: p('DELETE FROM software WHERE url = ? AND computer_reference = ?'),
    reportSoftware: p('UPDATE software SET reported_state = ?, error_log = ? WHERE url = ? AND computer_reference = ?'),

    listPartitions: p('SELECT * FROM partition WHERE computer_reference = ? ORDER BY rowid'),
    listAllPartitions: p('SELECT * FROM partition ORDER BY computer_reference, rowid'),
    getPartition: p('SELECT * FROM partition WHERE computer_reference = ? AND reference = ?'),
    findInstance: p("SELECT * FROM partition WHERE title = ? AND requested_by = ? AND slap_state = 'busy' ORDER BY rowid LIMIT 1"),
    findFreePartition: p("SELECT * FROM partition WHERE slap_state = 'free' AND computer_reference = ? ORDER BY rowid LIMIT 1"),
    findHostPartition: p(`SELECT * FROM partition WHERE computer_reference = @computer AND software_release = @release AND slap_state = 'busy'
      AND (@type IS NULL OR software_type = @type) AND (@partition IS NULL OR reference = @partition) ORDER BY rowid LIMIT 1`),
    listChildren: p('SELECT * FROM partition WHERE requested_by = ? ORDER BY title'),
    setChildrenRequestedState: p('UPDATE partition SET requested_state = ? WHERE requested_by = ?'),
    renameTreeRoot: p('UPDATE partition SET requested_by = ? WHERE requested_by = ?'),
    touchTree: p("UPDATE partition SET timestamp = ? WHERE slap_state = 'busy' AND ((title = ? AND requested_by = '') OR requested_by = ?)"),
    freePartition: p(`UPDATE partition SET slap_state = 'free', software_release = NULL, software_type = NULL, title = NULL,
      requested_by = '', requested_state = 'started', parameter_xml = NULL, connection_xml = NULL
      WHERE computer_reference = ? AND reference = ?`),
    detachSlaves: p('UPDATE slave SET hosted_by = NULL, list_position = NULL WHERE computer_reference = ? AND hosted_by = ?'),
    reportPartition: p('UPDATE partition SET reported_state = ?, error_log = ? WHERE computer_reference = ? AND reference = ?'),

    listAddresses: p('SELECT * FROM partition_address WHERE computer_reference = ? AND partition_reference = ? ORDER BY rowid'),

    getSlave: p('SELECT * FROM slave WHERE computer_reference = ? AND reference = ?'),
    listHostedSlaves: p('SELECT * FROM slave WHERE computer_reference = ? AND hosted_by = ? AND list_position IS NOT NULL ORDER BY list_position'),
    listSlaves: p('SELECT * FROM slave ORDER BY computer_reference, rowid'),
    putSlave: p(`INSERT INTO slave (computer_reference, reference, asked_by, hosted_by, software_type, parameters, connection_xml, list_position)
      VALUES (@computerReference, @reference, @askedBy, @hostedBy, @softwareType, @parameters, @connectionXml,
        CASE WHEN @listed THEN (SELECT coalesce(max(list_position), 0) + 1 FROM slave) END)
      ON CONFLICT (computer_reference, reference) DO UPDATE SET asked_by = excluded.asked_by, hosted_by = excluded.hosted_by,
        software_type = excluded.software_type, parameters = excluded.parameters, connection_xml = excluded.connection_xml,
        list_position = CASE WHEN NOT @listed THEN NULL WHEN slave.list_position IS NOT NULL AND slave.hosted_by IS excluded.hosted_by
          THEN slave.list_position ELSE excluded.list_position END`),
    setSlaveConnection: p('UPDATE slave SET connection_xml = ?, hosted_by = ? WHERE reference = ?'),
  };
}
