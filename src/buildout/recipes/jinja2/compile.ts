import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { Compiler, nodes, transformer, type AstNode, type CompileFrame, type CompilerInstance, type ParserInstance } from './nunjucks-internals.ts';
import { parseJinja2, pyCall } from './syntax.ts';

/**
 * Jinja2 templates compiled with nunjucks' own parser and compiler, after an
 * AST rewrite that routes Python semantics through the `__py` global
 * (python.ts): conditions use Python truthiness, `and`/`or` return operands,
 * `in`, `%`, `+`, attribute access, iteration and printing behave as in
 * Python. `{% do %}`, `{% break %}` and `{% continue %}` come from the
 * Jinja2 extensions of the same names; syntax.ts adds what the parser lacks.
 */

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).typename === 'string';
}

/** Rewrites the tree bottom-up (the tree is freshly parsed and owned here). */
function rewrite(node: AstNode): AstNode {
  for (const field of node.fields) {
    const value = node[field];
    if (isNode(value)) node[field] = rewrite(value);
  }
  if (node.children) node.children = node.children.map((child) => (isNode(child) ? rewrite(child) : child));
  switch (node.typename) {
    case 'If':
    case 'IfAsync':
    case 'InlineIf':
      node.cond = pyCall(node, 'truth', [node.cond as AstNode]);
      return node;
    case 'Not':
      node.target = pyCall(node, 'truth', [node.target as AstNode]);
      return node;
    case 'And':
      // Python returns the deciding operand, not a boolean.
      return new nodes.InlineIf(node.lineno, node.colno, pyCall(node, 'truth', [node.left as AstNode]), node.right, node.left);
    case 'Or':
      return new nodes.InlineIf(node.lineno, node.colno, pyCall(node, 'truth', [node.left as AstNode]), node.left, node.right);
    case 'In':
      return pyCall(node, 'contains', [node.right as AstNode, node.left as AstNode]);
    case 'LookupVal':
      return pyCall(node, 'attribute', [node.target as AstNode, node.val as AstNode]);
    case 'Mod':
      return pyCall(node, 'modulo', [node.left as AstNode, node.right as AstNode]);
    case 'Add':
      return pyCall(node, 'add', [node.left as AstNode, node.right as AstNode]);
    case 'Dict': {
      // nunjucks reads `{name: v}` as the key "name"; Python evaluates the key expression.
      const pairs = node.children ?? [];
      if (pairs.every((pair) => (pair.key as AstNode).typename === 'Literal' && typeof (pair.key as AstNode).value === 'string')) return node;
      const items = pairs.map((pair) => new nodes.Array(pair.lineno, pair.colno, [pair.key as AstNode, pair.value as AstNode]));
      return pyCall(node, 'dictOf', [new nodes.Array(node.lineno, node.colno, items)]);
    }
    case 'Concat':
      return pyCall(node, 'concat', [node.left as AstNode, node.right as AstNode]);
    case 'Compare': {
      // Python compares lists and dicts by value (a single == / != only; chains keep JS semantics).
      const ops = node.ops as AstNode[];
      if (ops.length !== 1 || (ops[0]!.type !== '==' && ops[0]!.type !== '!=')) return node;
      const equal = pyCall(node, 'pyEquals', [node.expr as AstNode, ops[0]!.expr as AstNode]);
      return ops[0]!.type === '==' ? equal : new nodes.Not(node.lineno, node.colno, equal);
    }
    case 'For':
      node.arr = pyCall(node, 'iterate', [node.arr as AstNode]);
      return node;
    case 'Output':
      node.children = (node.children ?? []).map((child) => (child.typename === 'TemplateData' ? child : pyCall(child, 'output', [child])));
      return node;
    default:
      return node;
  }
}

const LoopControl = nodes.Node.extend('LoopControl', { fields: ['keyword'] });

/**
 * The stock compiler plus the loop controls (plain JS `break`/`continue`:
 * nunjucks loops are JS loops) and Jinja2's scoping: a `{% set %}` inside a
 * loop body does not change the variable outside the loop.
 */
class PythonCompiler extends (Compiler as unknown as new (name: string, throwOnUndefined: boolean) => CompilerInstance) {
  private loopDepth = 0;

  compileLoopControl(node: AstNode): void {
    this._emitLine(`${node.keyword === 'break' ? 'break' : 'continue'};`);
  }

  override compileFor(node: AstNode, frame: CompileFrame): void {
    this.loopDepth++;
    try {
      super.compileFor(node, frame);
    } finally {
      this.loopDepth--;
    }
  }

  override compileSet(node: AstNode, frame: CompileFrame): void {
    const targets = node.targets as AstNode[];
    if (this.loopDepth === 0 || node.value === null || node.value === undefined) {
      super.compileSet(node, frame);
      return;
    }
    // A fresh JS variable bound in the loop's frame only.
    const ids = targets.map((target) => {
      const id = this._tmpid();
      this._emitLine(`var ${id};`);
      frame.set(String(target.value), id);
      return id;
    });
    this._emit(`${ids.join(' = ')} = `);
    this._compileExpression(node.value as AstNode, frame);
    this._emitLine(';');
    targets.forEach((target, i) => this._emitLine(`frame.set(${JSON.stringify(String(target.value))}, ${ids[i]!});`));
  }
}

/** `{% do expr %}`: evaluates for side effects. */
export class DoExtension {
  readonly tags = ['do'];
  parse(parse: ParserInstance): AstNode {
    const token = parse.nextToken();
    const expression = parse.parseExpression();
    parse.advanceAfterBlockEnd(token.value);
    return new nodes.CallExtension(this, 'run', new nodes.NodeList(token.lineno, token.colno, [expression]), null);
  }
  run(): string {
    return '';
  }
}

/** `{% break %}` / `{% continue %}`. */
export class LoopControlsExtension {
  readonly tags = ['break', 'continue'];
  parse(parse: ParserInstance): AstNode {
    const token = parse.nextToken();
    parse.advanceAfterBlockEnd(token.value);
    return new LoopControl(token.lineno, token.colno, token.value);
  }
}

/** Jinja2 extension names accepted in the `extensions` option. */
export function extensionsFor(names: readonly string[]): Record<string, object> {
  const result: Record<string, object> = {};
  for (const name of names) {
    switch (name) {
      case 'jinja2.ext.do': result.do = new DoExtension(); break;
      case 'jinja2.ext.loopcontrols': result.loopcontrols = new LoopControlsExtension(); break;
      case 'jinja2.ext.with_': case 'jinja2.ext.i18n': case 'jinja2.ext.autoescape': break;
      default: throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `Jinja2 extension '${name}' is not supported by this buildout engine`);
    }
  }
  return result;
}

/**
 * Source-level fixes for nunjucks' lexer: it finds the end of a raw block
 * with a regular expression that does not know Jinja2's whitespace control
 * (`{%- endraw %}`, `{% raw -%}`), so the trimming is applied here.
 */
function withPlainRawTags(source: string): string {
  return source
    // Jinja2's lexer balances braces inside `{% %}`; nunjucks reads `}}` as the end of a `{{ }}`.
    .replace(/\{%[\s\S]*?%\}/g, (tag) => tag.replaceAll('}}', '} }'))
    .replace(/\s*\{%-\s*(raw|endraw)\s*(-?)%\}/g, (_all, tag: string, trim: string) => `{% ${tag} ${trim}%}`)
    .replace(/\{%\s*(raw|endraw)\s*-%\}\s*/g, (_all, tag: string) => `{% ${tag} %}`);
}

/** Compiles a Jinja2 source into the object nunjucks.Template accepts as precompiled code. */
export function compileJinja2(source: string, name: string, extensions: readonly object[]): { type: 'code'; obj: unknown } {
  // Jinja2 drops a single trailing newline of every template (keep_trailing_newline = False).
  const text = withPlainRawTags(source.endsWith('\r\n') ? source.slice(0, -2) : source.endsWith('\n') ? source.slice(0, -1) : source);
  try {
    const ast = rewrite(parseJinja2(text, extensions));
    const compiler = new PythonCompiler(name, true);
    compiler.compile(transformer.transform(ast, [], name));
    const factory = new Function(compiler.getCode()) as () => unknown;
    return { type: 'code', obj: factory() };
  } catch (error) {
    const { lineno } = error as { lineno?: number };
    const where = typeof lineno === 'number' ? ` line ${lineno + 1}` : '';
    throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `Cannot compile template ${name}${where}: ${(error as Error).message}`, { cause: error });
  }
}
