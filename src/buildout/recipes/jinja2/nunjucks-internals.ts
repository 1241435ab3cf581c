import { createRequire } from 'node:module';

/**
 * The parts of nunjucks' compiler pipeline the Jinja2 layer drives itself
 * (parser, transformer, compiler, node classes). They are not in the public
 * typings, so only what is used is typed here.
 */
export interface AstNode {
  typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  children?: AstNode[];
  [field: string]: unknown;
}

type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => AstNode;

export interface Token { type: string; value: string; lineno: number; colno: number }

export interface NodeClasses {
  Not: NodeClass;
  Group: NodeClass;
  Dict: NodeClass;
  Pair: NodeClass;
  KeywordArgs: NodeClass;
  For: NodeClass;
  Set: NodeClass;
  Node: NodeClass & { extend(name: string, props?: { fields?: string[] }): NodeClass };
  NodeList: NodeClass;
  Array: NodeClass;
  Literal: NodeClass;
  Symbol: NodeClass;
  LookupVal: NodeClass;
  FunCall: NodeClass;
  InlineIf: NodeClass;
  TemplateData: NodeClass;
  Output: NodeClass;
  Is: NodeClass;
  Capture: NodeClass;
  CallExtension: new (ext: object, prop: string, args: AstNode | null, contentArgs: AstNode[] | null) => AstNode;
}

/** nunjucks' compile-time frame: which template variable lives in which JS variable. */
export interface CompileFrame {
  set(name: string, id: string): void;
  push(): CompileFrame;
}

export interface CompilerInstance {
  compile(node: AstNode, frame?: unknown): void;
  compileSet(node: AstNode, frame: CompileFrame): void;
  compileFor(node: AstNode, frame: CompileFrame): void;
  _compileExpression(node: AstNode, frame: CompileFrame): void;
  _tmpid(): string;
  _getNodeName(node: AstNode): string;
  getCode(): string;
  _emit(code: string): void;
  _emitLine(code: string): void;
}

/** Environment.addTest exists in nunjucks but not in its typings. */
export interface TestRegistry {
  addTest(name: string, test: (value: unknown, ...args: unknown[]) => boolean): unknown;
}

export interface ParserInstance {
  extensions: unknown[];
  nextToken(): Token;
  peekToken(): Token;
  skip(type: string): boolean;
  skipValue(type: string, value: string): boolean;
  skipSymbol(name: string): boolean;
  fail(message: string, lineno?: number, colno?: number): never;
  parsePrimary(noPostfix?: boolean): AstNode;
  parseExpression(): AstNode;
  parseUntilBlocks(...names: string[]): AstNode;
  advanceAfterBlockEnd(name?: string): void;
  parseAsRoot(): AstNode;
  parseFor(): AstNode;
  parseSet(): AstNode;
  parseIs(): AstNode;
  parseCompare(): AstNode;
  parseStatement(): AstNode | null;
  parseAggregate(): AstNode | null;
  parsePostfix(node: AstNode): AstNode;
  parseSignature(tolerant?: boolean, noParens?: boolean): AstNode | null;
}

const require = createRequire(import.meta.url);

export const nodes = require('nunjucks/src/nodes.js') as NodeClasses;
export const { Parser } = require('nunjucks/src/parser.js') as { Parser: new (tokens: unknown) => ParserInstance };
export const lexer = require('nunjucks/src/lexer.js') as { lex(src: string, opts: object): unknown } & Record<`TOKEN_${string}`, string>;
export const transformer = require('nunjucks/src/transformer.js') as { transform(ast: AstNode, asyncFilters: string[], name: string): AstNode };
/** Text that is already markup (macro output, `|safe`, `|escape`): nunjucks does not escape it again. */
export const { SafeString } = require('nunjucks/src/runtime.js') as { SafeString: new (text: string) => string };
export const { Compiler } = require('nunjucks/src/compiler.js') as { Compiler: new (name: string, throwOnUndefined: boolean) => CompilerInstance };
