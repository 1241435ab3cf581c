import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import { conditionNames, LOCAL_HOST, type ConditionHost } from './condition-host.ts';
import { evaluateMarker, parseMarker } from './marker.ts';
import { evaluatePython, parsePython, truthy } from './python-expression.ts';

/** Where a header is, for messages. */
export interface ConditionLocation { source: string; line: number }

/**
 * Conditional section headers `[name:expr]`. As zc.buildout 3 does, `expr`
 * (with `\x23` for `#` and `\x3b` for `;`) is read first as a PEP 508
 * marker, else as a Python expression — here the subset python-expression.ts
 * evaluates, never arbitrary code. An expression outside it, or one Python
 * would fail on, is BUILDOUT_ERR_CONDITION naming the file and line.
 */
export function evaluateCondition(source: string, where: ConditionLocation, host: ConditionHost = LOCAL_HOST): boolean {
  const expression = source.replaceAll('\\x23', '#').replaceAll('\\x3b', ';');
  try {
    const marker = parseMarker(expression);
    if (marker) return evaluateMarker(marker, host);
    return truthy(evaluatePython(parsePython(expression), conditionNames(host)));
  } catch (error) {
    if (error instanceof BuildoutError || !(error instanceof Error)) throw error;
    throw new BuildoutError(BuildoutErrorCode.CONDITION,
      `${where.source}, line ${where.line}: conditional section expression ${JSON.stringify(expression.trim())}: ${error.message}. `
      + 'This engine evaluates a subset of Python in section headers; use a Python zc.buildout for this profile.');
  }
}
