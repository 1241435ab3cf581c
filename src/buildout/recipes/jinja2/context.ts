import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import type { RecipeHost } from '../../recipe.ts';
import type { Value } from '../../values.ts';
import { importModule } from './modules.ts';

/** One `TYPE NAME EXPRESSION` line (context or import-list), split on the first two runs of whitespace. */
export interface TypedLine { type: string; name: string; expression: string }

export function parseTypedLines(option: string, text: string): TypedLine[] {
  const lines: TypedLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^\s*(\S+)\s+(\S+)(?:\s+(.*?))?\s*$/.exec(line);
    if (!match) throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `${option}: malformed line ${JSON.stringify(line)} (expected: TYPE NAME EXPRESSION)`);
    lines.push({ type: match[1]!, name: match[2]!, expression: match[3] ?? '' });
  }
  return lines;
}

/** `section:option`, the section defaulting to the current one. */
function splitKey(expression: string, current: string): [string, string] {
  const colon = expression.indexOf(':');
  if (colon < 0) throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `'${expression}' is not of the form section:option`);
  return [expression.slice(0, colon) || current, expression.slice(colon + 1)];
}

export async function readKey(host: RecipeHost, expression: string, current: string): Promise<Value> {
  const [section, option] = splitKey(expression, current);
  return host.option(section, option);
}

/**
 * Builds the template variables of the `context` option. Lookups go through
 * the buildout (in the constructor), so the sections they name are
 * initialised — and their parts installed — before this one.
 */
export async function buildContext(host: RecipeHost, part: string, text: string): Promise<Record<string, unknown>> {
  const context: Record<string, unknown> = {};
  for (const { type, name, expression } of parseTypedLines('context', text)) {
    if (Object.prototype.hasOwnProperty.call(context, name)) {
      throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `context: duplicate name '${name}'`);
    }
    context[name] = await contextValue(host, part, type, expression);
  }
  return context;
}

async function contextValue(host: RecipeHost, part: string, type: string, expression: string): Promise<unknown> {
  switch (type) {
    case 'raw': return expression;
    case 'key': return readKey(host, expression, part);
    case 'json': return parseJson(expression, 'json');
    case 'jsonkey': return parseJson(String(await readKey(host, expression, part)), 'jsonkey');
    case 'section': {
      const options = await host.section(expression);
      return Object.fromEntries(options.keys().map((key) => [key, options.get(key)]));
    }
    case 'import': return importModule(expression);
    default: throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `context: unknown type '${type}' (raw, key, json, jsonkey, section, import)`);
  }
}

function parseJson(text: string, type: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `context: ${type} value is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
