import { lexer, nodes, Parser, type AstNode, type ParserInstance, type Token } from './nunjucks-internals.ts';

/**
 * nunjucks' parser with the Jinja2 syntax it lacks and SlapOS templates
 * use: trailing commas, tuples `(a,)` and `()`, `**kwargs` in calls, nested
 * unpacking in `for` targets (`for k, (v, w) in …`), bare tuples after
 * `in`, slices `x[a:b]`, adjacent string literals.
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

class JinjaParser extends (Parser as unknown as new (tokens: unknown) => ParserInstance) {
  private unpackCount = 0;

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
        const key = this.parsePrimary();
        if (!this.skip(lexer.TOKEN_COLON)) this.fail('parseAggregate: expected colon after dict key', open.lineno, open.colno);
        items.push(new nodes.Pair(key.lineno, key.colno, key, this.parseExpression()));
      } else {
        items.push(this.parseExpression());
      }
    }
    // `(a, b)`, `(a,)` and `()` are tuples; `(a)` is grouping.
    if (kind === nodes.Group && (comma || items.length === 0)) return new nodes.Array(open.lineno, open.colno, items);
    return new kind(open.lineno, open.colno, items);
  }

  /** Adjacent string literals are one string, as in Python. */
  override parsePrimary(noPostfix?: boolean): AstNode {
    const token = this.peekToken();
    if (token.type !== lexer.TOKEN_STRING) return super.parsePrimary(noPostfix);
    let text = '';
    while (this.peekToken().type === lexer.TOKEN_STRING) text += this.nextToken().value;
    const literal = new nodes.Literal(token.lineno, token.colno, text);
    return noPostfix ? literal : this.parsePostfix(literal);
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
    const iterable = [this.parseExpression()];
    while (this.skip(lexer.TOKEN_COMMA)) iterable.push(this.parseExpression());
    node.arr = iterable.length === 1 ? iterable[0] : new nodes.Array(start.lineno, start.colno, iterable);
    this.advanceAfterBlockEnd(start.value);
    let body = this.parseUntilBlocks('endfor', 'else');
    if (this.skipSymbol('else')) {
      this.advanceAfterBlockEnd('else');
      node.else_ = this.parseUntilBlocks('endfor');
    }
    this.advanceAfterBlockEnd();
    // Nested targets become temporaries unpacked by `set`s at the top of the body.
    const unpacking: AstNode[] = [];
    const flat = targets.map((target) => (target.typename === 'Symbol' ? target : this.unpack(target, unpacking)));
    if (unpacking.length > 0) body = new nodes.NodeList(start.lineno, start.colno, [...unpacking, body]);
    node.body = body;
    node.name = flat.length === 1 ? flat[0] : new nodes.Array(start.lineno, start.colno, flat);
    return node;
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

  private destructure(target: AstNode, source: AstNode, into: AstNode[]): void {
    const { lineno, colno } = target;
    children(target).forEach((child, index) => {
      const item = new nodes.LookupVal(lineno, colno, source, new nodes.Literal(lineno, colno, index));
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
  return parser.parseAsRoot();
}
