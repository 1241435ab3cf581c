/**
 * The SQLite schema, as the ordered list of steps that build it. A database
 * records the last step applied in `PRAGMA user_version`; opening it applies
 * the missing steps in one transaction. Never edit a released step: add one.
 *
 * Row order matters to SLAP (partitions are listed and allocated in the order
 * format registered them), so tables keep SQLite's rowid and queries order
 * by it.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'computers, supplies, partitions, addresses, slaves',
    sql: `
      CREATE TABLE computer (
        reference TEXT NOT NULL PRIMARY KEY,
        address TEXT,
        netmask TEXT
      );
      CREATE TABLE software (
        url TEXT NOT NULL,
        computer_reference TEXT NOT NULL,
        requested_state TEXT NOT NULL DEFAULT 'available',
        PRIMARY KEY (url, computer_reference)
      );
      CREATE TABLE partition (
        computer_reference TEXT NOT NULL,
        reference TEXT NOT NULL,
        slap_state TEXT NOT NULL DEFAULT 'free',
        software_release TEXT,
        software_type TEXT,
        title TEXT,
        requested_by TEXT NOT NULL DEFAULT '',
        requested_state TEXT NOT NULL DEFAULT 'started',
        parameter_xml TEXT,
        connection_xml TEXT,
        timestamp REAL,
        PRIMARY KEY (computer_reference, reference)
      );
      CREATE INDEX partition_title ON partition (title, requested_by);
      CREATE INDEX partition_requested_by ON partition (requested_by);
      CREATE TABLE partition_address (
        computer_reference TEXT NOT NULL,
        partition_reference TEXT NOT NULL,
        interface TEXT NOT NULL,
        address TEXT NOT NULL,
        netmask TEXT
      );
      CREATE INDEX partition_address_partition ON partition_address (computer_reference, partition_reference);
      CREATE TABLE slave (
        computer_reference TEXT NOT NULL,
        reference TEXT NOT NULL,
        asked_by TEXT NOT NULL,
        hosted_by TEXT,
        software_type TEXT NOT NULL,
        parameters TEXT NOT NULL,
        connection_xml TEXT,
        list_position INTEGER,
        PRIMARY KEY (computer_reference, reference)
      );
      CREATE INDEX slave_host ON slave (computer_reference, hosted_by);
    `,
  },
  {
    version: 2,
    description: 'last state and error reported by the node, for proxy show',
    sql: `
      ALTER TABLE software ADD COLUMN reported_state TEXT;
      ALTER TABLE software ADD COLUMN error_log TEXT;
      ALTER TABLE partition ADD COLUMN reported_state TEXT;
      ALTER TABLE partition ADD COLUMN error_log TEXT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
