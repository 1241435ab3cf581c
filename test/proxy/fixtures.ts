import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../helpers/cli.ts';

/**
 * Writes a database as slapos.ts schema version 1 left it (frozen SQL under
 * fixtures/), empty or with a small deployment, for migration tests.
 */
export async function writeSchemaV1Database(databasePath: string, options: { withData?: boolean } = {}): Promise<void> {
  const files = ['schema-v1.sql', ...(options.withData ? ['data-v1.sql'] : [])];
  const db = new Database(databasePath);
  try {
    for (const file of files) db.exec(await readFile(join(REPO_ROOT, 'test/proxy/fixtures', file), 'utf8'));
  } finally {
    db.close();
  }
}
