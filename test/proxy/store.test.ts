import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PyFloat, PyTuple, Slap, type MarshalDict } from '../../src/slap/index.ts';
import { hasCode } from '../../src/errors/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { SCHEMA_VERSION, SqliteStore, type ProxyStore, type SlaveRecord } from '../../src/proxy/index.ts';
import { writeSchemaV1Database } from './fixtures.ts';
import { startTestProxy } from '../helpers/proxy.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'slapos-proxy-store-'));
}

/**
 * The contract every store backend keeps, run here against SQLite; another
 * backend passes the same `open`.
 */
function storeContract(name: string, open: () => Promise<{ store: ProxyStore; dispose(): Promise<void> }>): void {
  describe(`store contract: ${name}`, () => {
    async function withStore(work: (store: ProxyStore) => Promise<void>): Promise<void> {
      const { store, dispose } = await open();
      try { await work(store); } finally { await dispose(); }
    }
    const layout = (ids: string[]) => ids.map((reference, i) => ({ reference, addresses: [{ interface: `tap${i}`, address: `10.0.0.${i}`, netmask: null }] }));
    const slave = (reference: string, listed: boolean, parameters: MarshalDict = {}): SlaveRecord => ({
      computerReference: 'C', reference, askedBy: '', hostedBy: 'p1', softwareType: 'default', parameters, connectionXml: null, listed,
    });

    test('format registers partitions in order, keeps allocated ones, drops unlisted ones and their slaves', () => withStore(async (store) => {
      await store.transaction(async (tx) => {
        await tx.formatComputer({ reference: 'C', address: null, netmask: null }, layout(['p1', 'p0', 'p2']));
        assert.deepEqual((await tx.listPartitions('C')).map((p) => p.reference), ['p1', 'p0', 'p2']);
        assert.equal((await tx.findFreePartition('C'))!.reference, 'p1');
        await tx.updatePartition('C', 'p1', { slapState: 'busy', title: 'T', softwareRelease: 'sr' });
        await tx.putSlave(slave('_s', true));
        await tx.formatComputer({ reference: 'C', address: '1.2.3.4', netmask: null }, layout(['p1']));
        const [kept] = await tx.listPartitions('C');
        assert.equal(kept!.title, 'T');
        assert.equal((await tx.getComputer('C'))!.address, '1.2.3.4');
        assert.equal((await tx.listAddresses('C', 'p1')).length, 1);
        assert.equal((await tx.getSlave('C', '_s'))!.hostedBy, 'p1');
        await tx.formatComputer({ reference: 'C', address: null, netmask: null }, []);
        assert.deepEqual(await tx.listPartitions('C'), []);
        assert.equal(await tx.getSlave('C', '_s'), undefined);
      });
    }));

    test('the change mark stays while nothing is written and moves with every write', () => withStore(async (store) => {
      const mark = () => store.transaction((tx) => tx.changeMark());
      const before = await mark();
      await store.transaction((tx) => tx.listComputers());
      assert.equal(await mark(), before);
      await store.transaction((tx) => tx.supplySoftware('sr', 'C', 'available'));
      const after = await mark();
      assert.notEqual(after, before);
      assert.equal(await mark(), after);
    }));

    test('a transaction that throws leaves nothing behind', () => withStore(async (store) => {
      await assert.rejects(store.transaction(async (tx) => {
        await tx.supplySoftware('sr', 'C', 'available');
        throw new Error('boom');
      }), /boom/);
      assert.deepEqual(await store.transaction((tx) => tx.listSoftware('C')), []);
    }));

    test('slaves keep typed parameters and their place in the host list', () => withStore(async (store) => {
      await store.transaction(async (tx) => {
        await tx.formatComputer({ reference: 'C', address: null, netmask: null }, layout(['p1']));
        const parameters: MarshalDict = { f: new PyFloat(1), t: new PyTuple(['a', 2]), big: 10n ** 30n, nan: new PyFloat(NaN), n: null, b: true, d: { ['__proto__']: 'x' }, l: [1, [2]] };
        await tx.putSlave(slave('_a', true, parameters));
        await tx.putSlave(slave('_b', true));
        await tx.putSlave(slave('_a', true, { changed: 'yes' }));
        assert.deepEqual((await tx.listHostedSlaves('C', 'p1')).map((s) => s.reference), ['_a', '_b']);
        await tx.putSlave(slave('_a', false));
        assert.deepEqual((await tx.listHostedSlaves('C', 'p1')).map((s) => s.reference), ['_b']);
        await tx.putSlave(slave('_a', true, parameters));
        assert.deepEqual((await tx.listHostedSlaves('C', 'p1')).map((s) => s.reference), ['_b', '_a']);
        const stored = (await tx.getSlave('C', '_a'))!.parameters;
        assert.deepEqual(stored.f, new PyFloat(1));
        assert.deepEqual(stored.t, new PyTuple(['a', 2]));
        assert.equal(stored.big, 10n ** 30n);
        assert.ok(Number.isNaN((stored.nan as PyFloat).value));
        assert.equal(Object.getPrototypeOf(stored.d), null);
        assert.equal((stored.d as MarshalDict)['__proto__'], 'x');
        assert.deepEqual(stored.l, [1, [2]]);
        await tx.freePartition('C', 'p1');
        assert.deepEqual(await tx.listHostedSlaves('C', 'p1'), []);
      });
    }));

    test('instances are found by title and tree; trees are touched and renamed together', () => withStore(async (store) => {
      await store.transaction(async (tx) => {
        await tx.formatComputer({ reference: 'C', address: null, netmask: null }, layout(['p0', 'p1', 'p2']));
        await tx.updatePartition('C', 'p0', { slapState: 'busy', title: 'root', softwareRelease: 'sr' });
        await tx.updatePartition('C', 'p1', { slapState: 'busy', title: 'b', requestedBy: 'root', softwareRelease: 'sr' });
        await tx.updatePartition('C', 'p2', { slapState: 'busy', title: 'a', requestedBy: 'root', softwareRelease: 'sr' });
        assert.equal((await tx.findInstance('b', 'root'))!.reference, 'p1');
        assert.equal(await tx.findInstance('b', ''), undefined);
        assert.deepEqual((await tx.listChildren('root')).map((p) => p.title), ['a', 'b']);
        await tx.touchTree('root', 42.5);
        assert.deepEqual((await tx.listPartitions('C')).map((p) => p.timestamp), [42.5, 42.5, 42.5]);
        await tx.renameTreeRoot('root', 'ROOT');
        assert.equal((await tx.listChildren('ROOT')).length, 2);
        await tx.freePartition('C', 'p2');
        const freed = (await tx.getPartition('C', 'p2'))!;
        assert.deepEqual([freed.slapState, freed.title, freed.requestedBy, freed.softwareRelease], ['free', null, '', null]);
      });
    }));
  });
}

storeContract('sqlite', async () => {
  const dir = await tempDir();
  const store = new SqliteStore({ databasePath: join(dir, 'proxy.db'), logger: silentLogger() });
  return { store, async dispose() { await store.close(); await rm(dir, { recursive: true, force: true }); } };
});

describe('schema versions', () => {
  test('a database of schema version 1 is backed up, migrated, and serves as before', async () => {
    const dir = await tempDir();
    const databasePath = join(dir, 'old.db');
    await writeSchemaV1Database(databasePath, { withData: true });

    const proxy = await startTestProxy({ computerId: 'COMP', databasePath });
    const slap = new Slap({ logger: silentLogger() });
    slap.initializeConnection(proxy.url);
    try {
      const [host, free] = await slap.registerComputer('COMP').getComputerPartitionList();
      assert.equal(host!.getInstanceParameter('instance_title'), 'OldInstance');
      assert.equal(host!.getInstanceParameter('timestamp'), '1700000000.5');
      assert.equal(host!.getConnectionParameter('url'), 'http://10.0.0.10:8080/');
      const [entry] = host!.getInstanceParameter('slave_instance_list') as MarshalDict[];
      assert.deepEqual(entry!.port, new PyFloat(1.5));
      assert.deepEqual(entry!.hosts, new PyTuple(['a', 'b']));
      assert.equal(free!.getState(), 'destroyed');
      // The old instance is found again by its identity; new ones allocate as usual.
      assert.equal((await slap.registerOpenOrder().request({ softwareRelease: 'https://lab.example/software.cfg', partitionReference: 'OldInstance', partitionParameterKw: { port: 8080 } })).getId(), 'slappart0');
      assert.equal((await slap.registerOpenOrder().request({ softwareRelease: 'https://lab.example/software.cfg', partitionReference: 'New' })).getId(), 'slappart1');
      // Columns added by version 2 work on the migrated data.
      await (await slap.registerComputerPartition('COMP', 'slappart0')).error('failed once');
    } finally {
      await slap.close();
      await proxy.close();
    }
    const migrated = new Database(databasePath, { readonly: true });
    assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(migrated.prepare("SELECT error_log FROM partition WHERE reference = 'slappart0'").pluck().get(), 'failed once');
    migrated.close();
    const backups = (await readdir(dir)).filter((name) => name.startsWith('old.db-backup-v1to'));
    assert.equal(backups.length, 1);
    const backup = new Database(join(dir, backups[0]!), { readonly: true });
    assert.equal(backup.pragma('user_version', { simple: true }), 1);
    backup.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a newer or foreign database is refused at start with PROXY_ERR_DATABASE', async () => {
    const dir = await tempDir();
    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => new SqliteStore({ databasePath: newer, logger: silentLogger() }), (error: unknown) => hasCode(error, 'PROXY_ERR_DATABASE') && /newer/.test((error as Error).message));
    const python = join(dir, 'python.db');
    const pdb = new Database(python);
    pdb.exec('CREATE TABLE partition17 (reference TEXT)');
    pdb.close();
    assert.throws(() => new SqliteStore({ databasePath: python, logger: silentLogger() }), (error: unknown) => hasCode(error, 'PROXY_ERR_DATABASE') && /partition17/.test((error as Error).message));
    await rm(dir, { recursive: true, force: true });
  });
});
