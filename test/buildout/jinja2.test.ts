import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { progress, run, workspace } from './helpers.ts';

/** Renders `template` (a file) with extra profile text; returns the output. */
async function render(template: string, extra = '', options = ''): Promise<string> {
  const dir = workspace({
    'tpl.j2': template,
    'buildout.cfg': `[buildout]\nparts = t\n[t]\nrecipe = slapos.recipe.template:jinja2\nurl = \${buildout:directory}/tpl.j2\noutput = \${buildout:directory}/out\n${options}\n${extra}`,
  });
  await run(dir);
  return readFileSync(join(dir, 'out'), 'utf8');
}

test('jinja2 context: raw, key, json, section, jsonkey; final newline dropped', async () => {
  const dir = workspace({
    'buildout.cfg': `[buildout]
parts = t
[t]
recipe = slapos.recipe.template:jinja2
output = \${buildout:directory}/t.txt
inline =
  {{ a }}|{{ b }}|{{ c | join(",") }}|{{ s.v }}|{{ j.k }}
  {%- if empty %}NONEMPTY{% endif %}
context =
  raw a two words
  key b :output
  json c ["x", "y"]
  section s vals
  jsonkey j vals:js
  json empty {}
[vals]
v = 1
js = {"k": 2}
`,
  });
  await run(dir);
  assert.equal(readFileSync(join(dir, 't.txt'), 'utf8'), `two words|${join(dir, 't.txt')}|x,y|1|2`);
});

test('jinja2: url templates are not buildout-substituted; update re-renders a changed template', async () => {
  const dir = workspace({
    'tpl.j2': '${literal:kept} {{ port }}\n',
    'buildout.cfg': '[buildout]\nparts = t\n[t]\nrecipe = slapos.recipe.template:jinja2\nurl = tpl.j2\noutput = out\ncontext = key port s:port\n[s]\nport = 80\n',
  });
  await run(dir);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), '${literal:kept} 80');
  writeFileSync(join(dir, 'tpl.j2'), '${literal:kept} {{ port }}!\n');
  assert.deepEqual(progress((await run(dir)).log), ['Updating t.']);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), '${literal:kept} 80!');
});

test('jinja2: Python truthiness, and/or values, in, % formatting, list +', async () => {
  const out = await render(
    '{% if d %}D{% endif %}{% if not l %}L{% endif %}{% if s %}S{% endif %}|{{ e or "dflt" }}|{{ l and "x" }}|'
    + '{{ "a" in d2 }}{{ "z" in d2 }}{{ 2 in l2 }}{{ "ell" in "hello" }}|{{ "%s-%d-%05.1f" % ("x", 3, 2.26) }}|{{ (l2 + [3]) | join(",") }}|{{ True }} {{ None }} {{ l2 }} {{ d2 }}\n',
    '', 'context =\n  json d {}\n  json l []\n  raw s x\n  json e ""\n  json d2 {"a": 1}\n  json l2 [1, 2]');
  assert.equal(out, 'LS|dflt|[]|TrueFalseTrueTrue|x-3-002.3|1,2,3|True None [1, 2] {\'a\': 1}');
});

test('jinja2: str, list, dict methods and builtins as Python has them', async () => {
  const out = await render([
    '{{ " a  b ".split() | join("+") }}|{{ "a,b".split(",") }}|{{ "  x ".strip() }}|{{ "abc".startswith("ab") }}|{{ "{}-{x}".format(1, x=2) }}',
    '{% set l = [] %}{% do l.append(3) %}{% do l.extend([1, 2]) %}{% do l.sort() %}{{ l }}|{{ sorted([3, 1], reverse=True) }}|{{ len(l) }}',
    '{% set d = {"b": 2} %}{% do d.update({"a": 1}) %}{% for k, v in d.items() | sort %}{{ k }}={{ v }};{% endfor %}{{ d.get("zz", "no") }}|{{ d.setdefault("c", 3) }}',
    '{% for x in [1, 2, 3, 4] %}{% if x == 3 %}{% break %}{% endif %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}|{{ int("42") + 1 }}|{{ dumps(7) }}|{{ "ab"[-1] }}',
  ].join('\n') + '\n', '', 'extensions = jinja2.ext.do jinja2.ext.loopcontrols');
  assert.equal(out, [
    'a+b|[\'a\', \'b\']|x|True|1-2',
    '[1, 2, 3]|[3, 1]|3',
    'a=1;b=2;no|3',
    '2|43|$typed:7|b',
  ].join('\n'));
});

test('jinja2: import modules and import-list templates', async () => {
  const dir = workspace({
    'macros.j2': '{% macro hi(n) %}hi {{ n }}{% endmacro %}',
    'tpl.j2': '{% import "lib" as lib %}{{ lib.hi("x") }}|{{ lib.hi("Y").lower() }}|{{ json.dumps({"a": [1, "é"]}) }}|{{ os.path.basename("/a/b.c") }}|'
      + '{{ up.urlparse("http://[::1]:8080/p").hostname }}|{{ hashlib.md5("a").hexdigest() }}|'
      + '{{ six.moves.shlex_quote("a b") }}|{{ hashlib.md5(six.ensure_binary("x")).hexdigest()[:6] }}\n',
    'buildout.cfg': `[buildout]
parts = t
[t]
recipe = slapos.recipe.template:jinja2
url = tpl.j2
output = out
import-list = rawfile lib \${buildout:directory}/macros.j2
context =
  import json json
  import os os
  import hashlib hashlib
  import up urllib.parse
`,
  });
  await run(dir);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'hi x|hi y|{"a": [1, "\\u00e9"]}|b.c|::1|0cc175b9c0f1b6a831c399e269772661|\'a b\'|9dd4e4');
});

test('jinja2: iterators as SlapOS templates use them (itertools.count, next, iter, functools.partial)', async () => {
  const out = await render(
    '{% set ports = itertools.count(8000) %}{{ next(ports) }} {{ next(ports) }}|'
    + '{% set next_port = functools.partial(next, itertools.count(5, 2)) %}{{ next_port() }} {{ next_port() }}|'
    + '{% set it = iter(["a", "b"]) %}{{ next(it) }} {{ next(it) }} {{ next(it, "end") }}|{{ iter([1, 2]) | list }}\n',
    '', 'context =\n  import itertools itertools\n  import functools functools');
  assert.equal(out, '8000 8001|5 7|a b end|[1, 2]');
  await assert.rejects(render('{% set it = iter([]) %}{{ next(it) }}\n'), /StopIteration/);
});

test('jinja2: undefined variables and unknown modules are errors', async () => {
  await assert.rejects(render('{{ nope }}\n'), { code: 'BUILDOUT_ERR_TEMPLATE' });
  await assert.rejects(render('x\n', '', 'context = import sp subprocess'), (error: Error & { code?: string }) => error.code === 'BUILDOUT_ERR_TEMPLATE' && /subprocess/.test(error.message));
});

test('jinja2: errors name the template file and its line, not a JavaScript TypeError', async () => {
  const failure = async (template: string): Promise<string> => {
    try {
      await render(template);
    } catch (error) {
      assert.equal((error as { code?: string }).code, 'BUILDOUT_ERR_TEMPLATE');
      return (error as Error).message;
    }
    assert.fail(`rendered without error: ${template}`);
  };
  // Runtime errors: the line of the culprit, the expression named.
  assert.match(await failure('a\nb\n{{ d.missing }}\n'), /tpl\.j2\) \[Line 3, Column \d+\][\s\S]*d\.missing is undefined/);
  assert.match(await failure('{{ nope }}\n'), /tpl\.j2\) \[Line 1, Column \d+\][\s\S]*nope is undefined/);
  assert.match(await failure('x\n{{ "%d" % "a" }}\n'), /\[Line 2, Column \d+\][\s\S]*%d format: a real number is required, not str/);
  assert.match(await failure('{% set t = (1, 2) %}\n{% set t.x = 1 %}\n'), /\[Line 2, Column \d+\][\s\S]*cannot assign attribute 'x' on non-namespace object \(1, 2\)/);
  assert.match(await failure('{% for a, b in [(1, 2, 3)] %}{% endfor %}\n'), /too many values to unpack \(expected 2\)/);
  assert.match(await failure('{% set a, (b, c) = 1, (2,) %}\n'), /not enough values to unpack \(expected 2, got 1\)/);
  // Syntax errors, including the ones nunjucks' parser meets at the end of a tag.
  for (const [template, line] of [['a\n{{ 1 + }}\n', 2], ['a\nb\n{% if %}x{% endif %}\n', 3], ['{% trans %}x{% endtrans %}\n', 1]] as const) {
    const message = await failure(template);
    assert.match(message, new RegExp(`Cannot compile template \\S*tpl\\.j2 line ${line}: `));
    assert.doesNotMatch(message, /TypeError|Cannot read properties/);
  }
});

test('jinja2: once marker skips rendering', async () => {
  const dir = workspace({ 'marker': '', 'buildout.cfg': '[buildout]\nparts = t\n[t]\nrecipe = slapos.recipe.template:jinja2\ninline = x\noutput = out\nonce = ${buildout:directory}/marker\n' });
  await run(dir);
  assert.throws(() => readFileSync(join(dir, 'out')));
});

test('jinja2: filters on Python values (sets, dicts, attributes, map)', async () => {
  const out = await render('{% set s = set(["b", "a", "b"]) %}{{ s | sort | join(",") }}|{{ s | length }}|{% for k, v in d | dictsort %}{{ k }}{{ v }}{% endfor %}|{{ l | sort(attribute="n", reverse=True) | map(attribute="n") | join }}|{{ ["a", "b"] | map("upper") | join }}|{{ d | tojson }}\n',
    '', 'context =\n  json d {"b": 1, "a": "<"}\n  json l [{"n": 1}, {"n": 3}, {"n": 2}]');
  assert.equal(out, 'a,b|2|a<b1|321|AB|{"a": "\\u003c", "b": 1}');
});

test('jinja2: Python scoping and comparisons (set in a loop stays local, == on lists, ~ prints None)', async () => {
  const out = await render('{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}|{{ [1, 2] == [1, 2] }}{{ {"a": 1} != {"a": 1} }}|{{ "a" ~ 1 ~ none }}|{% for a, b in [[1, 2], [3, 4]] %}{{ loop.index0 }}{{ a }}{{ b }}{{ loop.last }}{% endfor %}\n');
  assert.equal(out, '21|TrueFalse|a1None|012False134True');
});

test('jinja2: syntax nunjucks lacks (tuples, trailing commas, **kwargs, nested unpacking, slices, raw with -)', async () => {
  const out = await render([
    '{% for k, (v, (w,)) in [["a", [1, [2]]]] %}{{ k }}{{ v }}{{ w }}{% endfor %}|{% for x in "p", "q" %}{{ x }}{% endfor %}',
    '{{ (1,) }}{{ () }}{{ [1, 2,] }}|{{ dict({"a": 1}, **{"b": 2}) | dictsort }}|{{ "abcdef"[1:3] }}{{ "abcdef"[::-2] }}{{ [1, 2, 3][:-1] }}',
    '{{ "ab" "cd" }}|{% set key = "k" %}{{ {key: 1} }}|{% if {"a": {}} %}dict{% endif %}',
    '{%- raw %} {{ kept }} {%- endraw %}',
  ].join('\n') + '\n');
  assert.equal(out, [
    'a12|pq',
    "(1,)()[1, 2]|[('a', 1), ('b', 2)]|bcfdb[1, 2]",
    "abcd|{'k': 1}|dict {{ kept }}",
  ].join('\n'));
});

test('jinja2: dumps writes typed values that the engine reads back typed', async () => {
  const generator = workspace({
    'buildout.cfg': `[buildout]
parts = gen
[gen]
recipe = slapos.recipe.template:jinja2
output = \${buildout:directory}/gen.cfg
context =
  json port 8080
  json flags {"on": true, "list": [1, "$\${x}"]}
  raw plain hello
inline =
  [buildout]
  parts = use
  [values]
  port = {{ dumps(port) }}
  flags = {{ dumps(flags) }}
  plain = {{ dumps(plain) }}
  ips = {{ dumps(set(["b", "a"])) }}
  spaced = {{ dumps("  x\\ny") }}
  [use]
  recipe = slapos.recipe.template:jinja2
  output = \${buildout:directory}/use.txt
  context =
    key port values:port
    key flags values:flags
    key ips values:ips
    key spaced values:spaced
  inline = {{ '{{' }} port + 1 }} {{ '{{' }} flags.on }} {{ '{{' }} flags.list }} {{ '{{' }} ips | sort }} {{ '{{' }} spaced | tojson }} $\${values:plain} $\${values:port}
`,
  });
  await run(generator);
  await run(generator, ['-c', 'gen.cfg']);
  assert.equal(readFileSync(join(generator, 'use.txt'), 'utf8'), '8081 True [1, \'${x}\'] [\'a\', \'b\'] "  x\\ny" hello 8080');
});
