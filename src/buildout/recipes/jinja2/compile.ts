import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { Compiler, nodes, transformer, type AstNode, type CompileFrame, type CompilerInstance, type ParserInstance } from './nunjucks-internals.ts';
import { parseJinja2, pyCall } from './syntax.ts';

/**
 * Jinja2 templates compiled with nunjucks' own parser and compiler, after an
 * AST rewrite that routes Python semantics through the `__py` global
 * (python.ts): conditions use Python truthiness, `and`/`or` return operands,
 * `in`, arithmetic (ints and floats apart), attribute access, iteration and
 * printing behave as in Python. `{% do %}`, `{% break %}` and `{% continue %}` come from the
 * Jinja2 extensions of the same names; syntax.ts adds what the parser lacks.
 */

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).typename === 'string';
}

const OPERATORS: Readonly<Record<string, string>> = { Sub: '-', Mul: '*', Div: '/', FloorDiv: '//', Pow: '**' };

/**
 * A readable name for an expression in error messages (`group.grouper`,
 * `ns.items()`), seeing through the `__py` calls of the rewrite.
 */
function describe(node: AstNode): string | undefined {
  switch (node.typename) {
    case 'Symbol': return String(node.value);
    case 'Literal':
      if (node.value === null) return 'None';
      if (typeof node.value === 'boolean') return node.value ? 'True' : 'False';
      return typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value);
    case 'LookupVal': {
      const target = describe(node.target as AstNode);
      const val = node.val as AstNode;
      if (target === '__py') return undefined;
      return target === undefined ? undefined : val.typename === 'Literal' && typeof val.value === 'string' ? `${target}.${val.value}` : `${target}[${describe(val) ?? '…'}]`;
    }
    case 'FunCall': {
      const callee = node.name as AstNode;
      const args = (node.args as AstNode).children ?? [];
      const helper = callee.typename === 'LookupVal' && describe(callee.target as AstNode) === '__py' ? (callee.val as AstNode).value : undefined;
      if (helper === 'attribute' && args.length === 2) {
        const [target, name] = args as [AstNode, AstNode];
        const base = describe(target);
        if (base === undefined || base === '__py') return undefined;
        return name.typename === 'Literal' && typeof name.value === 'string' ? `${base}.${name.value}` : `${base}[${describe(name) ?? '…'}]`;
      }
      if (helper !== undefined) return undefined;
      const name = describe(callee);
      return name === undefined ? undefined : `${name}()`;
    }
    default: return undefined;
  }
}

/**
 * Rewrites the tree bottom-up (the tree is freshly parsed and owned here).
 * Positions become 1-based, as nunjucks prints them in runtime errors
 * without converting (and omits a line 0).
 */
function rewrite(node: AstNode, seen: WeakSet<AstNode>): AstNode {
  if (seen.has(node)) return node;
  seen.add(node);
  node.lineno += 1;
  node.colno += 1;
  for (const field of node.fields) {
    const value = node[field];
    if (isNode(value)) node[field] = rewrite(value, seen);
  }
  if (node.children) node.children = node.children.map((child) => (isNode(child) ? rewrite(child, seen) : child));
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
      // Jinja2's loop.cycle(a, b, …)
      if ((node.target as AstNode).typename === 'Symbol' && (node.target as AstNode).value === 'loop' && (node.val as AstNode).value === 'cycle') return pyCall(node, 'cycle', [node.target as AstNode]);
      return pyCall(node, 'attribute', [node.target as AstNode, node.val as AstNode]);
    case 'Mod':
      return pyCall(node, 'modulo', [node.left as AstNode, node.right as AstNode]);
    case 'Add':
      return pyCall(node, 'add', [node.left as AstNode, node.right as AstNode]);
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'FloorDiv':
    case 'Pow':
      return pyCall(node, 'arithmetic', [new nodes.Literal(node.lineno, node.colno, OPERATORS[node.typename]), node.left as AstNode, node.right as AstNode]);
    case 'Neg':
      return pyCall(node, 'negate', [node.target as AstNode]);
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
      node.children = (node.children ?? []).map((child) => (child.typename === 'TemplateData' ? child
        : pyCall(child, 'output', [child, new nodes.Literal(child.lineno, child.colno, describe(child) ?? 'a value')])));
      return node;
    default:
      return node;
  }
}

const LoopControl = nodes.Node.extend('LoopControl', { fields: ['keyword'] });

/**
 * The stock compiler plus the loop controls (plain JS `break`/`continue`:
 * nunjucks loops are JS loops), `{% with %}`, and Jinja2's scoping: a
 * `{% set %}` inside a loop or `with` body does not change the variable
 * outside it.
 */
class PythonCompiler extends (Compiler as unknown as new (name: string, throwOnUndefined: boolean) => CompilerInstance) {
  /** How many loop or `with` bodies enclose the code being compiled. */
  private scopeDepth = 0;

  /** The name runtime errors give a called expression (`Unable to call ns.items`). */
  override _getNodeName(node: AstNode): string {
    return describe(node) ?? 'an expression';
  }

  compileLoopControl(node: AstNode): void {
    this._emitLine(`${node.keyword === 'break' ? 'break' : 'continue'};`);
  }

  override compileFor(node: AstNode, frame: CompileFrame): void {
    this.scopeDepth++;
    try {
      super.compileFor(node, frame);
    } finally {
      this.scopeDepth--;
    }
  }

  /** `{% with %}`: the values are computed outside, then bound in a frame of their own. */
  compileWith(node: AstNode, frame: CompileFrame): void {
    const targets = (node.targets as AstNode).children ?? [];
    const ids = ((node.values as AstNode).children ?? []).map((value) => {
      const id = this._tmpid();
      this._emit(`var ${id} = `);
      this._compileExpression(value, frame);
      this._emitLine(';');
      return id;
    });
    const inner = frame.push();
    this._emitLine('frame = frame.push();');
    targets.forEach((target, i) => {
      inner.set(String(target.value), ids[i]!);
      this._emitLine(`frame.set(${JSON.stringify(String(target.value))}, ${ids[i]!});`);
    });
    this.scopeDepth++;
    try {
      this.compile(node.body as AstNode, inner);
    } finally {
      this.scopeDepth--;
    }
    this._emitLine('frame = frame.pop();');
  }

  override compileSet(node: AstNode, frame: CompileFrame): void {
    const targets = node.targets as AstNode[];
    if (this.scopeDepth === 0 || node.value === null || node.value === undefined) {
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
 * Where the `{{ … }}` or `{% … %}` tag opened at `start` ends, reading it as
 * Jinja2's lexer does (strings skipped, brackets balanced), and its text with
 * every `}}` that closes a dict inside it written `} }`: nunjucks' lexer would
 * take that `}}` for the end of the tag.
 */
function scanTag(source: string, start: number): { end: number; text: string } {
  const closing = source[start + 1] === '{' ? '}}' : '%}';
  let text = source.slice(start, start + 2);
  let depth = 0;
  let quote = '';
  for (let i = start + 2; i < source.length; i++) {
    const c = source[i]!;
    if (quote !== '') {
      if (c === '\\') { text += source.slice(i, i + 2); i++; continue; }
      if (c === quote) quote = '';
    } else if (depth === 0 && source.startsWith(closing, i)) {
      return { end: i + 2, text: text + closing };
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if ('([{'.includes(c)) {
      depth++;
    } else if (')]}'.includes(c)) {
      depth = Math.max(0, depth - 1);
      if (c === '}' && source[i + 1] === '}') { text += '} '; continue; }
    }
    text += c;
  }
  return { end: source.length, text };
}

/** Template text as nunjucks' lexer accepts it: a stray `#}` is an error there, plain text for Jinja2. */
function data(text: string): string {
  return text.replaceAll('#}', '{{ "#}" }}');
}

/**
 * The source with the `}}` of nested dicts separated inside every tag and
 * stray `#}` in the text quoted (raw blocks and comments left alone).
 */
function withSeparatedBraces(source: string): string {
  const rawEnd = /\{%-?\s*endraw\s*-?%\}/g;
  let result = '';
  let position = 0;
  for (;;) {
    const start = source.indexOf('{', position);
    const kind = start < 0 ? undefined : source[start + 1];
    if (kind === undefined) return result + data(source.slice(position));
    let end: number;
    if (kind === '#') {
      const close = source.indexOf('#}', start + 2);
      end = close < 0 ? source.length : close + 2;
      result += data(source.slice(position, start)) + source.slice(start, end);
    } else if (kind === '{' || kind === '%') {
      const tag = scanTag(source, start);
      result += data(source.slice(position, start)) + tag.text;
      end = tag.end;
      if (kind === '%' && /^\{%-?\s*raw\s*-?%\}$/.test(tag.text)) {
        rawEnd.lastIndex = end;
        const close = rawEnd.exec(source);
        const after = close === null ? source.length : close.index + close[0].length;
        result += source.slice(end, after);
        end = after;
      }
    } else {
      end = start + 1;
      result += data(source.slice(position, end));
    }
    position = end;
  }
}

/**
 * Source-level fixes for nunjucks' lexer: nested dicts' `}}` (above), and
 * the end of a raw block, which nunjucks finds with a regular expression that
 * does not know Jinja2's whitespace control (`{%- endraw %}`, `{% raw -%}`),
 * so the trimming is applied here.
 */
function withPlainRawTags(source: string): string {
  return withSeparatedBraces(source)
    .replace(/\s*\{%-\s*(raw|endraw)\s*(-?)%\}/g, (_all, tag: string, trim: string) => `{% ${tag} ${trim}%}`)
    .replace(/\{%\s*(raw|endraw)\s*-%\}\s*/g, (_all, tag: string) => `{% ${tag} %}`);
}

/** Compiles a Jinja2 source into the object nunjucks.Template accepts as precompiled code. */
export function compileJinja2(source: string, name: string, extensions: readonly object[]): { type: 'code'; obj: unknown } {
  // Jinja2 drops a single trailing newline of every template (keep_trailing_newline = False).
  const text = withPlainRawTags(source.endsWith('\r\n') ? source.slice(0, -2) : source.endsWith('\n') ? source.slice(0, -1) : source);
  try {
    const ast = rewrite(parseJinja2(text, extensions), new WeakSet());
    const compiler = new PythonCompiler(name, true);
    compiler.compile(transformer.transform(ast, [], name));
    const factory = new Function(compiler.getCode()) as () => unknown;
    return { type: 'code', obj: factory() };
  } catch (error) {
    const { lineno } = error as { lineno?: number };
    // Parse errors carry 1-based lines already.
    const where = typeof lineno === 'number' ? ` line ${lineno}` : '';
    throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `Cannot compile template ${name}${where}: ${(error as Error).message}`, { cause: error });
  }
}
