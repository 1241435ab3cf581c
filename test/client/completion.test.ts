import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bashCompletionScript, shellQuote, type CompletionNode } from '../../src/client/index.ts';
import { runSlapos } from '../helpers/cli.ts';
import { tempDir } from './helpers.ts';

/** What bash offers for `words` (the last one being completed), with the script loaded. */
function complete(scriptPath: string, words: string[], cwd: string): string[] {
  const line = `source ${shellQuote(scriptPath)}; COMP_WORDS=(${words.map(shellQuote).join(' ')}); COMP_CWORD=${words.length - 1}; `
    + `_slapos_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', line], { cwd, encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

const leaf = (name: string, options: string[] = ['--help']): CompletionNode => ({ name, options, subcommands: [] });

test('the bash script offers subcommands, then options, then file names', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'params.json'), '{}');
  const tree: CompletionNode = {
    name: 'slapos', options: ['--version', '--help'], subcommands: [
      { name: 'node', options: ['--help'], subcommands: [leaf('format', ['--now', '--help']), leaf('software')] },
      leaf('request', ['--type', '--$(touch pwned)', '--help']),
    ],
  };
  const script = join(dir, 'completion.bash');
  writeFileSync(script, bashCompletionScript(tree));
  assert.deepEqual(complete(script, ['slapos', ''], dir), ['--help', '--version', 'node', 'request']);
  assert.deepEqual(complete(script, ['slapos', 'node', 'f'], dir), ['format']);
  assert.deepEqual(complete(script, ['slapos', '--cfg', 'x', 'node', 'format', '--'], dir), ['--help', '--now']);
  assert.deepEqual(complete(script, ['slapos', 'request', '--'], dir), ['--help', '--type'], 'a word bash would expand is not offered');
  assert.deepEqual(complete(script, ['slapos', 'request', 'par'], dir), ['params.json']);
  assert.equal(existsSync(join(dir, 'pwned')), false);
});

test('`slapos completion bash` completes the real command tree', async (t) => {
  const dir = tempDir(t);
  const result = await runSlapos(['completion', 'bash']);
  assert.equal(result.code, 0, result.stderr);
  const script = join(dir, 'slapos.bash');
  writeFileSync(script, result.stdout);
  const top = complete(script, ['slapos', ''], dir);
  for (const command of ['request', 'supply', 'remove', 'console', 'configure', 'node', 'proxy', 'completion']) assert.ok(top.includes(command), command);
  assert.deepEqual(complete(script, ['slapos', 'configure', ''], dir), ['--help', 'client', 'local']);
  assert.ok(complete(script, ['slapos', 'request', '--para'], dir).includes('--parameters-file'));
  assert.ok(complete(script, ['slapos', 'node', 're'], dir).includes('register'));
  const zsh = await runSlapos(['completion', 'zsh']);
  assert.equal(zsh.code, 1);
  assert.match(zsh.stderr, /only bash completion is available/);
});
