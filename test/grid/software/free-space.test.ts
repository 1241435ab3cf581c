import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFile } from '../../../src/config/index.ts';
import { GRID_ERR_CONFIG, readNodeConfig } from '../../../src/grid/index.ts';
import { availableSpace, checkFreeSpace, formatSize, GRID_ERR_DISK_SPACE, parseSize } from '../../../src/grid/free-space.ts';
import { rejectsWith } from '../../helpers/assert.ts';

const BASE = '[slapos]\nmaster_url = http://127.0.0.1:5000\ncomputer_id = COMP-1\nsoftware_root = /opt/slapgrid\ninstance_root = /srv/slapgrid\n';
const config = (extra: string) => readNodeConfig(ConfigFile.parse(`${BASE}${extra}`, '/etc/opt/slapos/slapos.cfg'));

test('sizes are read as the original reads them: powers of 1024, bare numbers are bytes', () => {
  const cases: Array<[string, number]> = [
    ['1000M', 1000 * 2 ** 20], ['2G', 2 * 2 ** 30], ['512K', 512 * 1024], ['512k', 512 * 1024], ['4096', 4096], ['0', 0],
    ['1 GB', 2 ** 30], ['1Gi', 2 ** 30], ['0.5 kilo', 512], ['.5M', 2 ** 19], ['10B', 10], ['1 T', 2 ** 40],
  ];
  for (const [text, bytes] of cases) assert.equal(parseSize(text), bytes, text);
  for (const text of ['', 'M', '12 foo', '-1M', '1e3', '1,5G', '2 g']) assert.equal(parseSize(text), undefined, text);
});

test('sizes are printed as in the original message', () => {
  assert.equal(formatSize(1000 * 2 ** 20), '1000.0 MB');
  assert.equal(formatSize(1536), '1.5 KB');
  assert.equal(formatSize(12), '12.0 B');
  assert.equal(formatSize(3 * 2 ** 40), '3.0 TB');
});

test('slapos.cfg: free space minimums default to 1000M, partition_timeout to none', () => {
  const defaults = config('');
  assert.equal(defaults.softwareMinFreeSpace, 1000 * 2 ** 20);
  assert.equal(defaults.instanceMinFreeSpace, 1000 * 2 ** 20);
  assert.equal(defaults.partitionTimeout, undefined);
  const set = config('software_min_free_space = 2G\ninstance_min_free_space = 512K\npartition_timeout = 3600\n');
  assert.deepEqual([set.softwareMinFreeSpace, set.instanceMinFreeSpace, set.partitionTimeout], [2 * 2 ** 30, 512 * 1024, 3600]);
  assert.equal(config('partition-timeout = 60\n').partitionTimeout, 60, 'HEAD\'s spelling');
  assert.equal(config('partition_timeout = 5\npartition-timeout = 60\n').partitionTimeout, 5, 'the underscore spelling wins, as in the original');
});

test('--partition-timeout wins over slapos.cfg and is checked the same way', () => {
  const file = ConfigFile.parse(`${BASE}partition_timeout = 5\n`, '/etc/opt/slapos/slapos.cfg');
  assert.equal(readNodeConfig(file, { partitionTimeout: '60' }).partitionTimeout, 60);
  assert.throws(() => readNodeConfig(file, { partitionTimeout: '0' }), (error: Error & { code?: string }) =>
    error.code === GRID_ERR_CONFIG && /^--partition-timeout must be a whole number of seconds/.test(error.message));
});

test('slapos.cfg: a bad size or timeout is a GRID_ERR_CONFIG naming the option', () => {
  const refused: Array<[string, RegExp]> = [
    ['software_min_free_space = lots\n', /software_min_free_space must be a size.*"lots"/],
    ['instance_min_free_space = 1 Q\n', /instance_min_free_space must be a size.*"1 Q"/],
    ['partition_timeout = 0\n', /partition_timeout must be a whole number of seconds.*"0"/],
    ['partition-timeout = 1.5\n', /partition-timeout must be a whole number of seconds.*"1.5"/],
    ['partition_timeout = soon\n', /partition_timeout must be/],
    ['partition_timeout = 99999999\n', /partition_timeout must be a whole number of seconds from 1 to 2147483/],
  ];
  for (const [extra, message] of refused) {
    assert.throws(() => config(extra), (error: Error & { code?: string }) => {
      assert.equal(error.code, GRID_ERR_CONFIG);
      assert.match(error.message, message);
      assert.match(error.message, /^\/etc\/opt\/slapos\/slapos\.cfg: /);
      return true;
    }, extra);
  }
});

test('free space is measured on the nearest existing parent, and refused below the minimum', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slapos-test-space-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const info = await statfs(dir);
  const available = info.bavail * info.bsize;
  const future = join(dir, 'not', 'built', 'yet');
  // other tests write meanwhile: compare orders of magnitude, not bytes
  assert.ok(Math.abs(await availableSpace(future) - available) < 2 ** 30, 'measured where the directory will be');

  const tooMuch = available + 2 ** 40;
  await rejectsWith(checkFreeSpace({ path: future, required: tooMuch, option: 'software_min_free_space' }), GRID_ERR_DISK_SPACE,
    `Not enough space for ${future}: available `, `required ${formatSize(tooMuch)} (option 'software_min_free_space')`);
  await checkFreeSpace({ path: future, required: 1024, option: 'instance_min_free_space' });
  await checkFreeSpace({ path: '/nonexistent/anywhere', required: 0, option: 'instance_min_free_space' });
});
