import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildoutValue, renderPartitionProfile, type SlapConnectionInfo } from '../../../src/grid/instance/index.ts';

const info: SlapConnectionInfo = {
  computerId: 'COMP-123', partitionId: 'slappart0', serverUrl: 'https://slap.vifib.com/',
  softwareReleaseUrl: 'https://lab.example/software/foo/software.cfg', keyFile: '', certFile: '',
  requestedState: 'started', sharedPartList: [], buildTimePartList: [], storageHome: '', ipv4GlobalNetwork: '',
};

/** The options of one section, read the way buildout reads one-line values. */
function section(profile: string, name: string): Record<string, string> {
  const options: Record<string, string> = {};
  let current = '';
  for (const line of profile.split('\n')) {
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) current = header[1]!;
    else if (current === name && /^[^\s#;]/.test(line)) {
      const [key, ...rest] = line.split('=');
      options[key!.trim()] = rest.join('=').trim();
    }
  }
  return options;
}

test('the tail has the slap-connection sections of the original', () => {
  const profile = renderPartitionProfile('[buildout]\nparts = x\n', info);
  assert.ok(profile.startsWith('[buildout]\nparts = x\n\n\n'));
  assert.deepEqual(section(profile, 'slap-connection'), {
    'computer-id': 'COMP-123', 'partition-id': 'slappart0', 'server-url': 'https://slap.vifib.com/',
    'software-release-url': 'https://lab.example/software/foo/software.cfg', 'key-file': '', 'cert-file': '',
    'shared-part-list': '', 'build-time-part-list': '', 'requested-state': 'started',
  });
  assert.equal(section(profile, 'slap_connection').partition_id, 'slappart0');
  assert.match(profile, /\[buildout\]\nbin-directory = \$\{buildout:directory\}\/sbin\n\noffline = true\n/);
});

test('a value can neither open a section or an option nor hold a reference', () => {
  assert.equal(buildoutValue('software-release-url', 'http://x/${a:b}]'), 'http://x/$${a:b}]');
  for (const bad of ['a\n[evil]', 'a\rb', ' leading', 'trailing ', 'nul\u0000', 'a$${b:c}']) {
    assert.throws(() => buildoutValue('server-url', bad), { code: 'GRID_ERR_BUILDOUT_VALUE' });
  }
  fc.assert(fc.property(fc.stringMatching(/^[a-z${}:\]\n ]*$/), (value) => {
    let written: string;
    try {
      written = buildoutValue('x', value);
    } catch {
      return true;
    }
    // one line; buildout splits on $$ and substitutes ${...} in each piece: none may hold one;
    // $${ read back as ${ gives the value
    return !written.includes('\n') && written.split('$$').every((piece) => !piece.includes('${'))
      && written.replace(/\$\$\{/g, () => '${') === value;
  }));
});
