import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log/index.ts';
import { Slap } from '../../src/slap/index.ts';
import { consoleGlobals, runConsoleCode, type ClientConfig } from '../../src/client/index.ts';

const config: ClientConfig = {
  path: '/x.cfg',
  masterUrl: 'http://127.0.0.1:1',
  aliases: new Map([['kvm', 'http://x/kvm.cfg'], ['apache-frontend', 'http://x/front.cfg'], ['delete', 'http://x/d.cfg'], ['slap', 'http://x/s.cfg']]),
};

test('console globals: aliases as globals, software_list in file order, the shorthands win over an alias of the same name', () => {
  const slap = new Slap({ logger: silentLogger() });
  const globals = consoleGlobals(slap, config);
  assert.equal(globals.kvm, 'http://x/kvm.cfg');
  assert.deepEqual(globals.software_list, ['kvm', 'apache-frontend', 'delete', 'slap']);
  assert.equal(globals.slap, slap);
  assert.equal(typeof globals.request, 'function');
});

test('console code: top-level await, argv, and aliases that are not identifiers through `aliases`', async () => {
  const seen: unknown[] = [];
  const globals = { ...consoleGlobals(new Slap({ logger: silentLogger() }), config), seen };
  await runConsoleCode('seen.push(await Promise.resolve(kvm), aliases["apache-frontend"], aliases.delete, argv);', globals, ['-c', 'a']);
  assert.deepEqual(seen, ['http://x/kvm.cfg', 'http://x/front.cfg', 'http://x/d.cfg', ['-c', 'a']]);
  await assert.rejects(runConsoleCode('throw new Error("from the script")', globals, []), /from the script/);
});
