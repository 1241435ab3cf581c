import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFile } from '../../src/config/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const fixtures = `${REPO_ROOT}/test/config/fixtures`;

function assertError(run: () => unknown, code: string, message?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code, String(error));
    if (message !== undefined) assert.match((error as Error).message, message);
    return true;
  });
}

describe('ConfigFile reads as Python 3 configparser', () => {
  it('reads the tricky cases exactly as Python 3.11 does', () => {
    const expected = JSON.parse(readFileSync(`${fixtures}/configparser-cases.expected.json`, 'utf8')) as {
      sections: string[]; items: Record<string, Record<string, string>>; raw: Record<string, Record<string, string>>;
    };
    const config = ConfigFile.load(`${fixtures}/configparser-cases.cfg`);
    assert.deepEqual(config.sections(), expected.sections);
    for (const section of expected.sections) {
      assert.deepEqual(config.items(section), expected.items[section], section);
      assert.deepEqual(config.options(section), Object.keys(expected.raw[section]!), section);
      for (const [option, value] of Object.entries(expected.raw[section]!)) assert.equal(config.raw(section, option), value);
    }
  });

  it('reads the spec example node file (node.md 1.8)', () => {
    const config = ConfigFile.load(`${fixtures}/slapos.cfg`);
    assert.equal(config.getString('slapos', 'master_url'), 'https://slap.vifib.com/');
    assert.equal(config.getPath('slapos', 'instance_root'), '/srv/slapgrid');
    assert.equal(config.getBool('slapformat', 'create_tap'), false);
    assert.equal(config.getInt('slapformat', 'partition_amount'), 10);
    assert.deepEqual(config.getList('networkcache', 'signature-certificate-list'),
      ['-----BEGIN CERTIFICATE-----', 'MIIB4DCCAUkCADANBgkqhkiG9w0BAQsFADA5...', '-----END CERTIFICATE-----']);
    assert.deepEqual(config.getList('networkcache', 'upload-to-binary-cache-url-blacklist'), ['http://git.erp5.org/gitweb/slapos.git/blob_plain/HEAD']);
    assert.equal(config.hasSection('slapproxy'), false);
    assert.equal(config.getString('slapproxy', 'host', '127.0.0.1'), '127.0.0.1');
  });

  it('accepts CRLF and CR line ends and a byte order mark', () => {
    const config = ConfigFile.parse('\uFEFF[s]\r\nkey = a\r\n  b\rother: c\r', 'crlf.cfg');
    assert.deepEqual(config.items('s'), { key: 'a\nb', other: 'c' });
  });

  it('folds option names to lower case and shares DEFAULT with every section', () => {
    const config = ConfigFile.parse('[DEFAULT]\nShared = d\n[A]\nKey = v\nshared = own\n[b]\n', 'x.cfg');
    assert.deepEqual(config.sections(), ['A', 'b']);
    assert.equal(config.has('A', 'KEY'), true);
    assert.equal(config.getString('A', 'kEy'), 'v');
    assert.equal(config.getString('A', 'shared'), 'own');
    assert.equal(config.getString('b', 'SHARED'), 'd');
    assert.equal(config.has('a', 'key'), false, 'section names are case-sensitive');
    assert.equal(config.has('missing', 'shared'), false);
    assert.equal(config.raw('missing', 'shared'), undefined);
    assert.equal(config.getString('DEFAULT', 'shared'), 'd');
  });

  it('allows DEFAULT to appear twice, as Python does', () => {
    const config = ConfigFile.parse('[DEFAULT]\na = 1\n[DEFAULT]\nb = 2\n[s]\n', 'x.cfg');
    assert.deepEqual(config.items('s'), { a: '1', b: '2' });
  });

  it('keeps a dictionary safe for any option name', () => {
    const items = ConfigFile.parse('[s]\n__proto__ = x\nconstructor = y\n', 'x.cfg').items('s');
    assert.deepEqual(Object.entries(items), [['__proto__', 'x'], ['constructor', 'y']]);
  });
});

describe('ConfigFile syntax errors name the file and line', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a repeated section', '[a]\nx=1\n[b]\n[a]\n', /^f\.cfg:4: section \[a\] already defined$/],
    ['a repeated option (any case)', '[a]\nx=1\nY=2\ny=3\n', /^f\.cfg:4: option 'y' already defined/],
    ['an option before any section', '# c\n\nx = 1\n', /^f\.cfg:3: option outside of any section/],
    ['a line that is nothing', '[a]\nx = 1\njunk line\n', /^f\.cfg:3: expected/],
    ['an option without name', '[a]\n= 1\n', /^f\.cfg:2: option name missing/],
    ['empty brackets', '[]\n', /^f\.cfg:1: /],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what}`, () => assertError(() => ConfigFile.parse(text, 'f.cfg'), 'CONFIG_ERR_SYNTAX', message));
  }

  it('reports an unreadable file', () => {
    assertError(() => ConfigFile.load('/nonexistent/slapos.cfg'), 'CONFIG_ERR_READ', /\/nonexistent\/slapos\.cfg/);
  });
});

describe('ConfigFile interpolation', () => {
  it('expands references recursively, from the section and DEFAULT', () => {
    const config = ConfigFile.parse('[DEFAULT]\nroot = /srv\n[s]\na = %(b)s/x\nb = %(ROOT)s/y\nc = 100%%\n', 'x.cfg');
    assert.equal(config.getString('s', 'a'), '/srv/y/x');
    assert.equal(config.getString('s', 'c'), '100%');
    assert.equal(config.raw('s', 'c'), '100%%');
  });

  const cases: Array<[string, string, RegExp]> = [
    ['a lone %', '[a]\nx = 50%\n', /^i\.cfg:2 \[a\] x: '%' must be followed by/],
    ['a missing option', '[a]\n\nx = %(nope)s\n', /^i\.cfg:3 \[a\] x: %\(nope\)s refers to an option that does not exist/],
    ['a cycle', '[a]\nx = %(y)s\ny = %(x)s\n', /^i\.cfg:2 \[a\] x: more than 10 levels/],
    ['an unterminated reference', '[a]\nx = %(y\n', /bad interpolation reference/],
  ];
  for (const [what, text, message] of cases) {
    it(`fails on ${what} when the value is read`, () => {
      const config = ConfigFile.parse(text, 'i.cfg');
      assert.ok(config.raw('a', 'x') !== undefined);
      assertError(() => config.getString('a', 'x'), 'CONFIG_ERR_INTERPOLATION', message);
      assertError(() => config.items('a'), 'CONFIG_ERR_INTERPOLATION');
    });
  }
});

describe('ConfigFile typed accessors', () => {
  const config = ConfigFile.parse([
    '[s]',
    'yes = Yes', 'on = ON', 'one = 1', 'true = tRuE', 'no = no', 'off = off', 'zero = 0', 'false = False',
    'maybe = maybe', 'int = 42', 'negative = -7', 'underscored = 1_000', 'plus = +3', 'float = 1.5', 'big = 99999999999999999999',
    'home = ~', 'home_sub = ~/certs', 'relative = etc/x', 'absolute = /etc/x', 'empty =',
    'list =', '  a b', '', '  c  ', 'one_line = x',
  ].join('\n'), '/etc/opt/slapos/slapos.cfg');

  it('reads booleans as getboolean does', () => {
    for (const option of ['yes', 'on', 'one', 'true']) assert.equal(config.getBool('s', option), true, option);
    for (const option of ['no', 'off', 'zero', 'false']) assert.equal(config.getBool('s', option), false, option);
    assertError(() => config.getBool('s', 'maybe'), 'CONFIG_ERR_VALUE', /slapos\.cfg:10 \[s\] maybe: "maybe" is not a boolean/);
  });

  it('reads integers as int() does', () => {
    assert.equal(config.getInt('s', 'int'), 42);
    assert.equal(config.getInt('s', 'negative'), -7);
    assert.equal(config.getInt('s', 'underscored'), 1000);
    assert.equal(config.getInt('s', 'plus'), 3);
    assertError(() => config.getInt('s', 'float'), 'CONFIG_ERR_VALUE');
    assertError(() => config.getInt('s', 'big'), 'CONFIG_ERR_VALUE');
    assertError(() => config.getInt('s', 'empty'), 'CONFIG_ERR_VALUE');
  });

  it('expands ~ and resolves relative paths against the file', () => {
    assert.equal(config.getPath('s', 'home'), homedir());
    assert.equal(config.getPath('s', 'home_sub'), join(homedir(), 'certs'));
    assert.equal(config.getPath('s', 'relative'), '/etc/opt/slapos/etc/x');
    assert.equal(config.getPath('s', 'absolute'), '/etc/x');
    assert.equal(config.getPath('s', 'empty', '/fallback'), '/fallback');
    assertError(() => config.getPath('s', 'empty'), 'CONFIG_ERR_MISSING');
  });

  it('splits lists on lines', () => {
    assert.deepEqual(config.getList('s', 'list'), ['a b', 'c']);
    assert.deepEqual(config.getList('s', 'one_line'), ['x']);
    assert.deepEqual(config.getList('s', 'empty'), []);
  });

  it('uses the fallback only when the option (or its section) is missing', () => {
    assert.equal(config.getString('s', 'nothing', 'f'), 'f');
    assert.equal(config.getBool('s', 'nothing', true), true);
    assert.equal(config.getInt('other', 'nothing', 3), 3);
    assert.deepEqual(config.getList('s', 'nothing', ['x']), ['x']);
    assert.equal(config.getString('s', 'empty', 'f'), '');
    assertError(() => config.getString('s', 'nothing'), 'CONFIG_ERR_MISSING', /no option 'nothing' in section \[s\]/);
    assertError(() => config.getString('other', 'nothing'), 'CONFIG_ERR_MISSING', /no section \[other\]/);
    assertError(() => config.items('other'), 'CONFIG_ERR_MISSING');
    assertError(() => config.options('other'), 'CONFIG_ERR_MISSING');
  });
});

it('loads a file from disk with its path as filename', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slapos-config-'));
  try {
    const path = join(dir, 'slapos.cfg');
    writeFileSync(path, '[slapos]\ncertificate_repository_path = pki\n');
    const config = ConfigFile.load(path);
    assert.equal(config.filename, path);
    assert.equal(config.getPath('slapos', 'certificate_repository_path'), join(dir, 'pki'));
    assertError(() => ConfigFile.load(dir), 'CONFIG_ERR_READ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
