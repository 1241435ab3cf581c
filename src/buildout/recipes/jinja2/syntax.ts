import { lexer, nodes, Parser, type AstNode, type ParserInstance, type Token } from './nunjucks-internals.ts';

/**
 * nunjucks' parser with the Jinja2 syntax it lacks and SlapOS templates
 * use: trailing commas, tuples `(a,)` and `()` (Python tuples, not lists),
 * `**kwargs` in calls, unpacking in `for` and `set` targets (`for k, (v, w)
 * in …`, `set a, b = …`), `set ns.attr = …`, `with`, bare tuples, slices
 * `x[a:b:c]`, adjacent string literals, exponent and float literals,
 * expressions as dict keys, tests with one argument without parentheses.
 */

/** A call of a `__py` helper (python.ts) in the tree. */
export function pyCall(near: { lineno: number; colno: number }, helper: string, args: AstNode[]): AstNode {
  const { lineno, colno } = near;
  const target = new nodes.LookupVal(lineno, colno, new nodes.Symbol(lineno, colno, '__py'), new nodes.Literal(lineno, colno, helper));
  return new nodes.FunCall(lineno, colno, target, new nodes.NodeList(lineno, colno, args));
}

const CLOSING = new Set([lexer.TOKEN_RIGHT_PAREN, lexer.TOKEN_RIGHT_BRACKET, lexer.TOKEN_RIGHT_CURLY]);

function children(node: AstNode): AstNode[] {
  return node.children ?? [];
}

/** Token types that start the single argument of a test written without parentheses (`is divisibleby 3`). */
const TEST_ARGUMENT = new Set([lexer.TOKEN_SYMBOL, lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY, lexer.TOKEN_NONE, lexer.TOKEN_BOOLEAN]);

/** `{% with a = 1, b = x %}…{% endwith %}`: names bound for the block only (compiled by compile.ts). */
const With = nodes.Node.extend('With', { fields: ['targets', 'values', 'body'] });

class JinjaParser extends (Parser as unknown as new (tokens: unknown) => ParserInstance) {
  private unpackCount = 0;
  /** Where parsing got to, for errors raised where nunjucks finds no token (end of template). */
  lastToken: Token | undefined;

  override nextToken(): Token {
    const token = super.nextToken();
    if (token) this.lastToken = token;
    return token;
  }

  override parseAggregate(): AstNode | null {
    const open = this.nextToken();
    const kind = open.type === lexer.TOKEN_LEFT_PAREN ? nodes.Group
      : open.type === lexer.TOKEN_LEFT_BRACKET ? nodes.Array
        : open.type === lexer.TOKEN_LEFT_CURLY ? nodes.Dict : undefined;
    if (kind === undefined) return null;
    const items: AstNode[] = [];
    let comma = false;
    for (;;) {
      if (CLOSING.has(this.peekToken().type)) { this.nextToken(); break; }
      if (items.length > 0) {
        if (!this.skip(lexer.TOKEN_COMMA)) this.fail('parseAggregate: expected comma after expression', open.lineno, open.colno);
        comma = true;
        if (CLOSING.has(this.peekToken().type)) { this.nextToken(); break; }
      }
      if (kind === nodes.Dict) {
        const key = this.parseExpression();
        if (!this.skip(lexer.TOKEN_COLON)) this.fail('parseAggregate: expected colon after dict key', open.lineno, open.colno);
        items.push(new nodes.Pair(key.lineno, key.colno, key, this.parseExpression()));
      } else {
        items.push(this.parseExpression());
      }
    }
    // `(a, b)`, `(a,)` and `()` are tuples; `(a)` is grouping.
    if (kind === nodes.Group && (comma || items.length === 0)) return pyCall(open, 'tuple', [new nodes.Array(open.lineno, open.colno, items)]);
    return new kind(open.lineno, open.colno, items);
  }

  override parseStatement(): AstNode | null {
    const token = this.peekToken();
    if (token.type !== lexer.TOKEN_SYMBOL || token.value !== 'with') return super.parseStatement();
    this.nextToken();
    const targets: AstNode[] = [];
    const values: AstNode[] = [];
    while (this.peekToken().type !== lexer.TOKEN_BLOCK_END) {
      if (targets.length > 0 && !this.skip(lexer.TOKEN_COMMA)) this.fail('parseWith: expected comma', token.lineno, token.colno);
      const target = this.parsePrimary(true);
      if (target.typename !== 'Symbol' || !this.skipValue(lexer.TOKEN_OPERATOR, '=')) this.fail('parseWith: expected name = value', token.lineno, token.colno);
      targets.push(target);
      values.push(this.parseExpression());
    }
    this.advanceAfterBlockEnd('with');
    const body = this.parseUntilBlocks('endwith');
    this.advanceAfterBlockEnd();
    const list = (items: AstNode[]): AstNode => new nodes.NodeList(token.lineno, token.colno, items);
    return new With(token.lineno, token.colno, list(targets), list(values), body);
  }

  /**
   * `x is test`, `x is not test`, `x is test(args)` and Jinja2's
   * `x is test arg` (one argument without parentheses).
   */
  override parseIs(): AstNode {
    const left = this.parseCompare();
    if (!this.skipSymbol('is')) return left;
    const negated = this.skipSymbol('not');
    const name = this.nextToken();
    if (![lexer.TOKEN_SYMBOL, lexer.TOKEN_NONE, lexer.TOKEN_BOOLEAN].includes(name.type)) this.fail('parseIs: expected a test name', name.lineno, name.colno);
    const test = new nodes.Symbol(name.lineno, name.colno, name.value);
    const next = this.peekToken();
    let right: AstNode = test;
    if (next.type === lexer.TOKEN_LEFT_PAREN) {
      right = new nodes.FunCall(name.lineno, name.colno, test, this.parseSignature());
    } else if (TEST_ARGUMENT.has(next.type) && !(next.type === lexer.TOKEN_SYMBOL && ['and', 'or', 'else', 'is', 'if'].includes(next.value))) {
      right = new nodes.FunCall(name.lineno, name.colno, test, new nodes.NodeList(next.lineno, next.colno, [this.parsePrimary()]));
    }
    const node = new nodes.Is(left.lineno, left.colno, left, right);
    return negated ? new nodes.Not(left.lineno, left.colno, node) : node;
  }

  /** Adjacent string literals are one string, as in Python; numbers as parseNumber reads them. */
  override parsePrimary(noPostfix?: boolean): AstNode {
    const token = this.peekToken();
    if (token.type === lexer.TOKEN_INT || token.type === lexer.TOKEN_FLOAT || (token.type === lexer.TOKEN_SYMBOL && /^\d+[eE]\d*$/.test(token.value))) {
      const number = this.parseNumber();
      return noPostfix ? number : this.parsePostfix(number);
    }
    if (token.type !== lexer.TOKEN_STRING) return super.parsePrimary(noPostfix);
    let text = '';
    while (this.peekToken().type === lexer.TOKEN_STRING) text += this.nextToken().value;
    const literal = new nodes.Literal(token.lineno, token.colno, text);
    return noPostfix ? literal : this.parsePostfix(literal);
  }

  /**
   * A number literal. nunjucks' lexer splits exponents (`1e20` is one name,
   * `1.5e-7` is 1.5, the name `e`, `-` and 7), so they are put back together
   * here; a float literal with an integral value stays a float (`2.0`).
   */
  private parseNumber(): AstNode {
    const token = this.nextToken();
    let text = token.value;
    const adjacent = (next: Token): boolean => next.lineno === token.lineno && next.colno === token.colno + text.length;
    const exponent = this.peekToken();
    if (token.type === lexer.TOKEN_FLOAT && exponent.type === lexer.TOKEN_SYMBOL && /^[eE]\d*$/.test(exponent.value) && adjacent(exponent)) text += this.nextToken().value;
    if (/[eE]$/.test(text)) {
      const sign = this.peekToken();
      if (sign.type === lexer.TOKEN_OPERATOR && (sign.value === '-' || sign.value === '+') && adjacent(sign)) text += this.nextToken().value;
      const digits = this.nextToken();
      if (digits.type !== lexer.TOKEN_INT || !adjacent(digits)) this.fail(`invalid number literal ${text}`, token.lineno, token.colno);
      text += digits.value;
    }
    const value = Number(text);
    const literal = new nodes.Literal(token.lineno, token.colno, value);
    return /[.eE]/.test(text) && Number.isInteger(value) ? pyCall(token, 'float', [literal]) : literal;
  }

  /** Calls, `.name`, `[index]` and `[start:stop:step]` after an expression. */
  override parsePostfix(start: AstNode): AstNode {
    let node = start;
    for (;;) {
      const token = this.peekToken();
      if (token.type === lexer.TOKEN_LEFT_PAREN) {
        node = new nodes.FunCall(token.lineno, token.colno, node, this.parseSignature());
      } else if (token.type === lexer.TOKEN_LEFT_BRACKET) {
        this.nextToken();
        node = this.parseSubscript(node, token);
      } else if (token.type === lexer.TOKEN_OPERATOR && token.value === '.') {
        this.nextToken();
        const name = this.nextToken();
        if (name.type !== lexer.TOKEN_SYMBOL) this.fail(`expected name as lookup value, got ${name.value}`, name.lineno, name.colno);
        node = new nodes.LookupVal(token.lineno, token.colno, node, new nodes.Literal(name.lineno, name.colno, name.value));
      } else {
        return node;
      }
    }
  }

  private parseSubscript(target: AstNode, open: Token): AstNode {
    const none = (): AstNode => new nodes.Literal(open.lineno, open.colno, null);
    const part = (): AstNode => (this.peekToken().type === lexer.TOKEN_COLON || this.peekToken().type === lexer.TOKEN_RIGHT_BRACKET ? none() : this.parseExpression());
    const first = part();
    if (this.skip(lexer.TOKEN_RIGHT_BRACKET)) return new nodes.LookupVal(open.lineno, open.colno, target, first);
    const bounds = [first];
    while (this.skip(lexer.TOKEN_COLON)) bounds.push(part());
    if (!this.skip(lexer.TOKEN_RIGHT_BRACKET) || bounds.length > 3) this.fail('invalid subscript', open.lineno, open.colno);
    while (bounds.length < 3) bounds.push(none());
    return pyCall(open, 'slice', [target, ...bounds]);
  }

  override parseSignature(tolerant?: boolean, noParens?: boolean): AstNode | null {
    let token: Token = this.peekToken();
    if (!noParens && token.type !== lexer.TOKEN_LEFT_PAREN) {
      if (tolerant) return null;
      this.fail('expected arguments', token.lineno, token.colno);
    }
    if (token.type === lexer.TOKEN_LEFT_PAREN) token = this.nextToken();
    const args: AstNode[] = [];
    const keywords: AstNode[] = [];
    let checkComma = false;
    for (;;) {
      const next = this.peekToken();
      if (!noParens && next.type === lexer.TOKEN_RIGHT_PAREN) { this.nextToken(); break; }
      if (noParens && next.type === lexer.TOKEN_BLOCK_END) break;
      if (checkComma) {
        if (!this.skip(lexer.TOKEN_COMMA)) this.fail('parseSignature: expected comma after expression', next.lineno, next.colno);
        if (!noParens && this.peekToken().type === lexer.TOKEN_RIGHT_PAREN) { this.nextToken(); break; }
      }
      if (this.skipValue(lexer.TOKEN_OPERATOR, '**')) {
        args.push(pyCall(next, 'keywords', [this.parseExpression()]));
      } else {
        const arg = this.parseExpression();
        if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) keywords.push(new nodes.Pair(arg.lineno, arg.colno, arg, this.parseExpression()));
        else args.push(arg);
      }
      checkComma = true;
    }
    if (keywords.length > 0) args.push(new nodes.KeywordArgs(token.lineno, token.colno, keywords));
    return new nodes.NodeList(token.lineno, token.colno, args);
  }

  override parseFor(): AstNode {
    const start = this.peekToken();
    if (!this.skipSymbol('for')) return super.parseFor();
    const targets = [this.parseTarget()];
    while (this.skip(lexer.TOKEN_COMMA)) targets.push(this.parseTarget());
    if (!this.skipSymbol('in')) this.fail('parseFor: expected "in" keyword for loop', start.lineno, start.colno);
    const node = new nodes.For(start.lineno, start.colno);
    node.arr = this.parseTupleExpression();
    this.advanceAfterBlockEnd(start.value);
    const body = this.parseUntilBlocks('endfor', 'else');
    if (this.skipSymbol('else')) {
      this.advanceAfterBlockEnd('else');
      node.else_ = this.parseUntilBlocks('endfor');
    }
    this.advanceAfterBlockEnd();
    // Several or nested targets: one temporary, unpacked (and checked) by `set`s at the top of the body.
    const unpacking: AstNode[] = [];
    const [first] = targets as [AstNode];
    node.name = targets.length === 1 && first.typename === 'Symbol' ? first
      : this.unpack(targets.length === 1 ? first : new nodes.Array(start.lineno, start.colno, targets), unpacking);
    node.body = unpacking.length > 0 ? new nodes.NodeList(start.lineno, start.colno, [...unpacking, body]) : body;
    return node;
  }

  /**
   * `{% set %}` as Jinja2 has it: `set ns.attr = v` assigns to a namespace,
   * `set a, b = v` unpacks (nunjucks would give both names `v`), the value may
   * be a bare tuple; `set name %}…{% endset` captures a block.
   */
  override parseSet(): AstNode {
    const tag = this.peekToken();
    if (!this.skipSymbol('set')) this.fail('parseSet: expected set', tag.lineno, tag.colno);
    const target = (): AstNode => (this.peekToken().type === lexer.TOKEN_LEFT_PAREN ? this.parseTarget() : this.parsePrimary());
    const targets = [target()];
    while (this.skip(lexer.TOKEN_COMMA)) targets.push(target());
    const [first] = targets as [AstNode];
    if (first.typename === 'LookupVal' && targets.length === 1) {
      const attribute = first.val as AstNode;
      if (attribute.typename !== 'Literal' || !this.skipValue(lexer.TOKEN_OPERATOR, '=')) this.fail('parseSet: expected "set namespace.attribute = value"', tag.lineno, tag.colno);
      const value = this.parseTupleExpression();
      this.advanceAfterBlockEnd(tag.value);
      return new nodes.Output(tag.lineno, tag.colno, [pyCall(tag, 'setAttribute', [first.target as AstNode, attribute, value])]);
    }
    for (const item of targets) if (item.typename !== 'Symbol' && item.typename !== 'Array') this.fail('parseSet: can only assign to names or namespace attributes', item.lineno, item.colno);
    if (targets.length > 1 || first.typename === 'Array') {
      if (!this.skipValue(lexer.TOKEN_OPERATOR, '=')) this.fail('parseSet: expected = after several names', tag.lineno, tag.colno);
      const value = this.parseTupleExpression();
      this.advanceAfterBlockEnd(tag.value);
      const statements: AstNode[] = [];
      const pattern = targets.length === 1 ? first : new nodes.Array(tag.lineno, tag.colno, targets);
      const temporary = this.unpack(pattern, statements);
      return new nodes.NodeList(tag.lineno, tag.colno, [new nodes.Set(tag.lineno, tag.colno, [temporary], value), ...statements]);
    }
    const node = new nodes.Set(tag.lineno, tag.colno, targets);
    if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) {
      node.value = this.parseTupleExpression();
      this.advanceAfterBlockEnd(tag.value);
      return node;
    }
    if (!this.skip(lexer.TOKEN_BLOCK_END)) this.fail('parseSet: expected = or block end in set tag', tag.lineno, tag.colno);
    node.body = new nodes.Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
    node.value = null;
    this.advanceAfterBlockEnd();
    return node;
  }

  /** An expression, or a bare tuple `a, b` (or `a,`) of them. */
  private parseTupleExpression(): AstNode {
    const start = this.peekToken();
    const items = [this.parseExpression()];
    let comma = false;
    while (this.skip(lexer.TOKEN_COMMA)) {
      comma = true;
      if (this.peekToken().type === lexer.TOKEN_BLOCK_END) break;
      items.push(this.parseExpression());
    }
    return comma ? pyCall(start, 'tuple', [new nodes.Array(start.lineno, start.colno, items)]) : items[0]!;
  }

  /** A loop target: a name, or a parenthesised list of targets. */
  private parseTarget(): AstNode {
    const token = this.peekToken();
    if (this.skip(lexer.TOKEN_LEFT_PAREN)) {
      const items: AstNode[] = [];
      while (!this.skip(lexer.TOKEN_RIGHT_PAREN)) {
        items.push(this.parseTarget());
        if (!this.skip(lexer.TOKEN_COMMA)) {
          if (!this.skip(lexer.TOKEN_RIGHT_PAREN)) this.fail('parseFor: expected ")" in loop target', token.lineno, token.colno);
          break;
        }
      }
      return new nodes.Array(token.lineno, token.colno, items);
    }
    const symbol = this.parsePrimary(true);
    if (symbol.typename !== 'Symbol') this.fail('parseFor: variable name expected for loop', token.lineno, token.colno);
    return symbol;
  }

  /** Replaces a nested target by a temporary and appends the `set`s that unpack it. */
  private unpack(target: AstNode, into: AstNode[]): AstNode {
    const temporary = new nodes.Symbol(target.lineno, target.colno, `__unpack${this.unpackCount++}`);
    this.destructure(target, temporary, into);
    return temporary;
  }

  /** `set`s giving each name of `target` its item of `source`, which must have as many items as Python requires. */
  private destructure(target: AstNode, source: AstNode, into: AstNode[]): void {
    const { lineno, colno } = target;
    const checked = new nodes.Symbol(lineno, colno, `__unpack${this.unpackCount++}`);
    into.push(new nodes.Set(lineno, colno, [checked], pyCall(target, 'unpack', [source, new nodes.Literal(lineno, colno, children(target).length)])));
    children(target).forEach((child, index) => {
      const item = new nodes.LookupVal(lineno, colno, checked, new nodes.Literal(lineno, colno, index));
      const name = child.typename === 'Symbol' ? child : new nodes.Symbol(lineno, colno, `__unpack${this.unpackCount++}`);
      into.push(new nodes.Set(lineno, colno, [name], item));
      if (name !== child) this.destructure(child, name, into);
    });
  }
}

/** Parses a Jinja2 source into nunjucks' tree. */
export function parseJinja2(source: string, extensions: readonly object[]): AstNode {
  const parser = new JinjaParser(lexer.lex(source, {}));
  parser.extensions = [...extensions];
  try {
    return parser.parseAsRoot();
  } catch (error) {
    // nunjucks' parser reads a missing token's fields when a template or tag ends early.
    if (!(error instanceof TypeError)) throw error;
    const near = parser.lastToken;
    return parser.fail(`unexpected end of template or tag${near ? ` after ${JSON.stringify(near.value)}` : ''}`, near?.lineno, near?.colno);
  }
}
