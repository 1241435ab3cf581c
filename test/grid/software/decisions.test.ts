import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { asctime, buildoutParameters, buildoutValue, decideSoftwareAction, readNodeConfig, renderSoftwareBuildoutCfg, softwareUrlHash } from '../../../src/grid/index.ts';
import { ConfigFile } from '../../../src/config/index.ts';

const base = { url: 'https://lab/software.cfg', hash: softwareUrlHash('https://lab/software.cfg'), develop: false };

test('the software directory is the md5 of the URL (UTF-8 bytes)', () => {
  assert.equal(softwareUrlHash('https://lab.nexedi.com/nexedi/slapos/raw/1.0/software/kvm/software.cfg'), 'c3ec7246227f6f6567c8ad347b3258e4');
  assert.equal(softwareUrlHash(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(softwareUrlHash('é'), '66ddcd97cfdeabb2f6fb8a999b4bc76f');
});

test('what happens to one release', () => {
  assert.equal(decideSoftwareAction({ ...base, state: 'available', completed: false }), 'install');
  assert.equal(decideSoftwareAction({ ...base, state: 'available', completed: true }), 'keep');
  assert.equal(decideSoftwareAction({ ...base, state: 'available', completed: true, develop: true }), 'install');
  assert.equal(decideSoftwareAction({ ...base, state: 'destroyed', completed: true }), 'destroy');
  assert.equal(decideSoftwareAction({ ...base, state: 'available', completed: true, onlySr: [base.hash] }), 'install');
  assert.equal(decideSoftwareAction({ ...base, state: 'available', completed: true, onlySr: [base.url] }), 'install');
  assert.equal(decideSoftwareAction({ ...base, state: 'available', completed: false, onlySr: ['other'] }), 'ignore');
  assert.equal(decideSoftwareAction({ ...base, state: 'started', completed: false }), 'ignore');
});

test('a release outside --only-sr is never touched, whatever its state', () => {
  fc.assert(fc.property(fc.constantFrom('available', 'destroyed'), fc.boolean(), fc.boolean(), (state, completed, develop) =>
    decideSoftwareAction({ ...base, state, completed, develop, onlySr: ['https://lab/other.cfg'] }) === 'ignore'));
});

test('buildout.cfg is written as Python ConfigParser would', () => {
  assert.equal(renderSoftwareBuildoutCfg({ url: 'https://lab/a.cfg' }),
    '[buildout]\nextends = https://lab/a.cfg\nshared-part-list = \nbuild-time-part-list = \n\n');
  assert.equal(renderSoftwareBuildoutCfg({ url: '/srv/sr.cfg', sharedPartList: ['/opt/a', '/opt/b'] }),
    '[buildout]\nextends = /srv/sr.cfg\nshared-part-list = \n\t/opt/a\n\t/opt/b\nbuild-time-part-list = \n\n');
});

test('values written into buildout.cfg are escaped or refused', () => {
  assert.equal(buildoutValue('https://x/${a}.cfg'), 'https://x/$${a}.cfg');
  for (const bad of ['a\nparts = evil', ' padded', '', 'x\r']) assert.throws(() => buildoutValue(bad), { code: 'GRID_ERR_SOFTWARE_URL' });
  fc.assert(fc.property(fc.string(), (text) => {
    try {
      const escaped = buildoutValue(text);
      return !/[\r\n]/.test(escaped) && escaped.replaceAll('$$', '').indexOf('$') === -1;
    } catch {
      return true;
    }
  }));
});

test('buildout parameters forward the regular cache options only when set', () => {
  const cfg = (extra: string) => readNodeConfig(ConfigFile.parse(
    `[slapos]\nmaster_url = http://m\ncomputer_id = c\nsoftware_root = /s\ninstance_root = /i\n${extra}`, '/x/slapos.cfg'));
  assert.deepEqual(buildoutParameters(cfg(''), '/s/h', '/s/h/extends-cache'), ['buildout:extends-cache=/s/h/extends-cache', 'buildout:directory=/s/h']);
  assert.deepEqual(buildoutParameters(cfg('[networkcache]\nupload-dir-url = http://d\nupload-cache-url = http://c\n'), '/s/h', '/e'),
    ['buildout:extends-cache=/e', 'buildout:directory=/s/h', 'buildout:networkcache-section=networkcache',
      'networkcache:upload-cache-url=http://c', 'networkcache:upload-dir-url=http://d']);
});

test('.completed holds asctime()', () => {
  assert.equal(asctime(new Date(2012, 9, 1, 4, 3, 12)), 'Mon Oct  1 04:03:12 2012');
});
