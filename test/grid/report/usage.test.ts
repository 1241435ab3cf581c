import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkJournal, decideRetention, emptyDirectory, parseConsumption, renderJournal } from '../../../src/grid/report/index.ts';

const MOVEMENT = '<movement><resource>CPU</resource><title>cpu &amp; more</title><reference>ignored</reference>'
  + '<quantity>42.0</quantity><price>0.0</price><VAT>None</VAT><category>a</category><category>b</category></movement>';

test('parseConsumption: follows the partition consumption schema', () => {
  assert.deepEqual(parseConsumption(`<?xml version="1.0"?>\n<consumption>\n  ${MOVEMENT}\n</consumption>`), [[
    ['resource', 'CPU'], ['title', 'cpu & more'], ['reference', 'ignored'], ['quantity', '42.0'], ['price', '0.0'],
    ['VAT', 'None'], ['category', 'a'], ['category', 'b'],
  ]]);
  assert.equal(parseConsumption('<consumption><movement><resource>RAM</resource><quantity>1e3</quantity><price>-1</price><VAT/></movement></consumption>').length, 1);
  for (const bad of [
    '<journal/>',
    '<consumption></consumption>',
    '<consumption><movement><quantity>1</quantity><price>0</price><VAT/></movement></consumption>',
    '<consumption><movement><resource>x</resource><quantity>many</quantity><price>0</price><VAT/></movement></consumption>',
    '<consumption><movement><resource>x</resource><price>0</price><quantity>1</quantity><VAT/></movement></consumption>',
    '<consumption><movement><resource>x</resource><quantity>1</quantity><price>0</price><VAT/><extra/></movement></consumption>',
    '<consumption><movement><resource><b>x</b></resource><quantity>1</quantity><price>0</price><VAT/></movement></consumption>',
    '<consumption><movement>',
    'not xml',
  ]) {
    assert.throws(() => parseConsumption(bad), { code: 'GRID_ERR_USAGE_INVALID' }, bad);
  }
});

test('renderJournal: one transaction, references replaced by the partition id, text escaped', () => {
  const journal = renderJournal('COMP-1', [{ partitionId: 'slappart0', movements: parseConsumption(`<consumption>${MOVEMENT}</consumption>`) }], new Date(2012, 9, 11, 14, 3, 12));
  assert.equal(journal, "<?xml version='1.0' encoding='utf-8'?><journal><transaction type=\"Sale Packing List\">"
    + '<title>Resource consumptions</title><start_date></start_date><stop_date>2012-10-11 at 14:03:12</stop_date>'
    + '<reference>COMP-1</reference><currency></currency><payment_mode></payment_mode><category></category>'
    + '<arrow type="Administration"><source></source><destination></destination></arrow>'
    + '<movement><resource>CPU</resource><title>cpu &amp; more</title><reference>slappart0</reference><quantity>42.0</quantity>'
    + '<price>0.0</price><VAT>None</VAT><category>a</category><category>b</category></movement></transaction></journal>');
});

test('checkJournal: follows the computer consumption schema', () => {
  const journal = renderJournal('COMP-1', [{ partitionId: 'slappart0', movements: parseConsumption(`<consumption>${MOVEMENT}</consumption>`) }], new Date());
  checkJournal(journal);
  for (const bad of [
    journal.replace('<arrow type="Administration">', '<arrow>'),
    journal.replace(/<movement>.*<\/movement>/, ''),
    journal.replace('<currency></currency>', ''),
    '<consumption/>',
  ]) {
    assert.throws(() => checkJournal(bad), { code: 'GRID_ERR_USAGE_INVALID' }, bad);
  }
});

test('decideRetention: a retention delay keeps the partition until its deadline', () => {
  assert.deepEqual(decideRetention({ delayDays: undefined, deadline: undefined, nowSeconds: 1000 }), { destroy: true });
  assert.deepEqual(decideRetention({ delayDays: 0, deadline: undefined, nowSeconds: 1000 }), { destroy: true });
  assert.deepEqual(decideRetention({ delayDays: 1.5, deadline: undefined, nowSeconds: 1000 }), { destroy: false, writeDeadline: 1000 + 129600 });
  assert.deepEqual(decideRetention({ delayDays: 1, deadline: 2000, nowSeconds: 1999 }), { destroy: false });
  assert.deepEqual(decideRetention({ delayDays: 1, deadline: 2000, nowSeconds: 2000 }), { destroy: true });
});

test('emptyDirectory: removes everything inside, read-only directories and symbolic links included, never what links point to', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'slapos-empty-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const partition = join(root, 'slappart0');
  const outside = join(root, 'software');
  await mkdir(join(partition, 'data', 'ro', 'deeper'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'keep'), 'kept');
  await writeFile(join(partition, 'data', 'ro', 'deeper', 'file'), 'x');
  await writeFile(join(partition, '.timestamp'), '1');
  await symlink(outside, join(partition, 'software_release'));
  await chmod(join(partition, 'data', 'ro', 'deeper'), 0o500);
  await chmod(join(partition, 'data', 'ro'), 0o500);
  await chmod(partition, 0o750);
  await emptyDirectory(partition);
  assert.deepEqual(await readdir(partition), []);
  assert.equal((await stat(partition)).mode & 0o777, 0o750);
  assert.deepEqual(await readdir(outside), ['keep']);
});
