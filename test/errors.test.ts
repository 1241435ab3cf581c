import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './helpers/cli.ts';

/**
 * The error catalogue check: every code a module defines in one of its
 * `errors.ts` files is documented in a table row of some docs/errors/*.md
 * (`| \`CODE\` | when | status |`), and every documented code exists.
 */
const CODE = /\b[A-Z][A-Z0-9]*_ERR_[A-Z0-9_]*[A-Z0-9]\b/g;

function errorFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return errorFiles(path);
    return entry.name === 'errors.ts' ? [path] : [];
  });
}

/** Codes named in code, not in comments (a comment may say `SLAP_ERR_XML_*`). */
function definedCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of errorFiles(join(REPO_ROOT, 'src'))) {
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const [code] of source.matchAll(CODE)) codes.set(code, relative(REPO_ROOT, file));
  }
  return codes;
}

function documentedCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  const docs = join(REPO_ROOT, 'docs', 'errors');
  for (const name of readdirSync(docs).filter((file) => file.endsWith('.md'))) {
    for (const row of readFileSync(join(docs, name), 'utf8').split('\n')) {
      const match = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/.exec(row);
      if (match !== null) codes.set(match[1]!, `docs/errors/${name}`);
    }
  }
  return codes;
}

it('finds error codes to check (the scan itself works)', () => {
  assert.ok(definedCodes().has('CONFIG_ERR_SYNTAX'));
  assert.ok(documentedCodes().has('CONFIG_ERR_SYNTAX'));
});

it('documents every error code defined in src/**/errors.ts', () => {
  const documented = documentedCodes();
  const missing = [...definedCodes()].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], 'codes without a row in docs/errors/*.md');
});

it('documents no error code that does not exist', () => {
  const defined = definedCodes();
  const stale = [...documentedCodes()].filter(([code]) => !defined.has(code)).map(([code, doc]) => `${code} (${doc})`);
  assert.deepEqual(stale, [], 'documented codes no errors.ts defines');
});
