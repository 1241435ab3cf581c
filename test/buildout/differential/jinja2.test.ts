import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, workspace, writeFiles } from '../helpers.ts';
import { FIXTURES, referenceUnavailable, runPythonJson, SYSTEM_PYTHON } from './reference.ts';

/**
 * slapos.recipe.template:jinja2 templates exercising the Python habits of
 * SlapOS templates (truthiness, str and dict methods, `do`, loop controls,
 * namespace, macros with caller, the filters), rendered by this engine
 * through a real profile and by Debian's python3-jinja2 the way the recipe
 * drives it; the outputs must be equal byte for byte.
 */
const TEMPLATES = join(FIXTURES, 'templates');
const IMPORTS = { helpers: 'helpers.j2' };
const EXTENSIONS = ['jinja2.ext.do', 'jinja2.ext.loopcontrols'];
const CONTEXT: Record<string, unknown> = {
  empty_dict: {}, empty_list: [], d: { b: 2, a: 1 }, l: [1, 2], s: 'text', n: 3, f: 2.5, b: true, none: null,
};

const templates = readdirSync(TEMPLATES).filter((name) => name.endsWith('.j2') && !Object.values(IMPORTS).includes(name)).sort();

/** A profile rendering one template with the context as `json` lines. */
function profile(name: string): string {
  const context = Object.entries(CONTEXT).map(([variable, value]) => `  json ${variable} ${JSON.stringify(value)}`).join('\n');
  const imports = Object.entries(IMPORTS).map(([variable, file]) => `  rawfile ${variable} \${buildout:directory}/${file}`).join('\n');
  return `[buildout]
parts = render

[render]
recipe = slapos.recipe.template:jinja2
url = \${buildout:directory}/${name}
output = \${buildout:directory}/output.txt
extensions = ${EXTENSIONS.join(' ')}
context =
${context}
import-list =
${imports}
`;
}

/** Our output, or the error the engine reports. */
async function render(dir: string, name: string): Promise<{ output: string } | { error: string }> {
  const own = join(dir, name.replace('.j2', ''));
  cpSync(TEMPLATES, own, { recursive: true });
  writeFiles(own, { 'buildout.cfg': profile(name) });
  try {
    await run(own);
    return { output: readFileSync(join(own, 'output.txt'), 'utf8') };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const unavailable = await referenceUnavailable();
const dir = workspace();
const expected = unavailable ? [] : await runPythonJson<({ output: string } | { error: string })[]>(SYSTEM_PYTHON, 'render.py', templates.map((name) => ({
  template: join(TEMPLATES, name),
  context: CONTEXT,
  imports: Object.fromEntries(Object.entries(IMPORTS).map(([variable, file]) => [variable, join(TEMPLATES, file)])),
  extensions: EXTENSIONS,
})), dir);

for (const [index, name] of templates.entries()) {
  test(`jinja2 ${name}: byte for byte what python3-jinja2 renders`, { skip: unavailable }, async () => {
    const reference = expected[index]!;
    assert.ok('output' in reference, `python3-jinja2 fails on ${name}: ${JSON.stringify(reference)}`);
    const actual = await render(dir, name);
    assert.ok('output' in actual, `ours fails: ${'error' in actual ? actual.error : ''}`);
    assert.equal(actual.output, reference.output);
  });
}
