import { version as kernelVersion } from 'node:os';
import { PYTHON_VERSION, type ConditionHost } from './condition-host.ts';

/**
 * PEP 508 environment markers (`python_version >= "3.8" and
 * platform_machine == "x86_64"`), which zc.buildout 3 accepts in section
 * headers before trying the text as a Python expression. Version
 * comparisons follow PEP 440 for plain release numbers (3.11 == 3.11.0,
 * 3.10 > 3.9); other values compare as Python strings (`~=` needs versions).
 */
type Marker =
  | { kind: 'compare'; left: Operand; op: string; right: Operand }
  | { kind: 'and' | 'or'; left: Marker; right: Marker };
type Operand = { variable: string } | { literal: string };

const VARIABLES = new Set([
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system',
  'platform_version', 'platform_machine', 'platform_python_implementation', 'implementation_name', 'implementation_version',
]);
const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_.]*)|'([^']*)'|"([^"]*)"|(===|~=|==|!=|<=|>=|<|>|\(|\)))/y;

interface Token { kind: 'word' | 'string' | 'op'; text: string }

function tokenize(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  let position = 0;
  while (!/^\s*$/.test(source.slice(position))) {
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (!match) return undefined;
    position = TOKEN.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'word', text: match[1] });
    else if (match[2] !== undefined || match[3] !== undefined) tokens.push({ kind: 'string', text: match[2] ?? match[3]! });
    else tokens.push({ kind: 'op', text: match[4]! });
  }
  return tokens;
}

/** The marker, or undefined when `source` is not a valid PEP 508 marker. */
export function parseMarker(source: string): Marker | undefined {
  const tokens = tokenize(source);
  if (!tokens || tokens.length === 0) return undefined;
  let index = 0;
  const word = (text: string): boolean => tokens[index]?.kind === 'word' && tokens[index]!.text === text;
  const operand = (): Operand | undefined => {
    const token = tokens[index];
    if (token?.kind === 'string') { index++; return { literal: token.text }; }
    if (token?.kind === 'word' && VARIABLES.has(token.text)) { index++; return { variable: token.text }; }
    return undefined;
  };
  const operator = (): string | undefined => {
    const token = tokens[index];
    if (token?.kind === 'op' && token.text !== '(' && token.text !== ')') { index++; return token.text; }
    if (word('in')) { index++; return 'in'; }
    if (word('not') && tokens[index + 1]?.kind === 'word' && tokens[index + 1]!.text === 'in') { index += 2; return 'not in'; }
    return undefined;
  };
  const expression = (): Marker | undefined => {
    if (tokens[index]?.kind === 'op' && tokens[index]!.text === '(') {
      index++;
      const inner = disjunction();
      if (!inner || tokens[index]?.text !== ')') return undefined;
      index++;
      return inner;
    }
    const left = operand();
    const op = left && operator();
    const right = op && operand();
    return left && op && right ? { kind: 'compare', left, op, right } : undefined;
  };
  const conjunction = (): Marker | undefined => {
    let left = expression();
    while (left && word('and')) { index++; const right = expression(); left = right && { kind: 'and', left, right }; }
    return left;
  };
  function disjunction(): Marker | undefined {
    let left = conjunction();
    while (left && word('or')) { index++; const right = conjunction(); left = right && { kind: 'or', left, right }; }
    return left;
  }
  const marker = disjunction();
  return marker && index === tokens.length ? marker : undefined;
}

function environment(host: ConditionHost, name: string): string {
  const [major, minor, micro] = PYTHON_VERSION;
  switch (name) {
    case 'python_version': return `${major}.${minor}`;
    case 'python_full_version':
    case 'implementation_version': return `${major}.${minor}.${micro}`;
    case 'os_name': return 'posix';
    case 'sys_platform': return process.platform;
    case 'platform_release': return host.release();
    case 'platform_system': return host.system();
    case 'platform_version': return kernelVersion();
    case 'platform_machine': return host.machine();
    case 'platform_python_implementation': return 'CPython';
    default: return 'cpython';
  }
}

const RELEASE = /^\d+(\.\d+)*$/;

function compareReleases(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Evaluates one comparison; undefined when packaging would refuse it. */
function compare(left: string, op: string, right: string): boolean | undefined {
  if (op === 'in') return right.includes(left);
  if (op === 'not in') return !right.includes(left);
  if (op === '===') return left === right;
  if (RELEASE.test(left) && RELEASE.test(right)) {
    const order = compareReleases(left, right);
    switch (op) {
      case '==': return order === 0;
      case '!=': return order !== 0;
      case '<': return order < 0;
      case '<=': return order <= 0;
      case '>': return order > 0;
      case '>=': return order >= 0;
      default: {
        // ~= X.Y.Z: >= X.Y.Z and the same X.Y.
        const prefix = right.split('.').slice(0, -1);
        return right.includes('.') && order >= 0 && compareReleases(left.split('.').slice(0, prefix.length).join('.'), prefix.join('.')) === 0;
      }
    }
  }
  // Not versions: packaging falls back to Python's string operators.
  switch (op) {
    case '==': return left === right;
    case '!=': return left !== right;
    case '<': return left < right;
    case '<=': return left <= right;
    case '>': return left > right;
    case '>=': return left >= right;
    default: return undefined;
  }
}

/** Evaluates a parsed marker; throws a plain Error for comparisons it cannot order. */
export function evaluateMarker(marker: Marker, host: ConditionHost): boolean {
  if (marker.kind !== 'compare') {
    const left = evaluateMarker(marker.left, host);
    return marker.kind === 'and' ? left && evaluateMarker(marker.right, host) : left || evaluateMarker(marker.right, host);
  }
  const value = (operand: Operand): string => ('literal' in operand ? operand.literal : environment(host, operand.variable));
  const left = value(marker.left);
  const right = value(marker.right);
  const result = compare(left, marker.op, right);
  if (result === undefined) throw new Error(`cannot compare ${JSON.stringify(left)} ${marker.op} ${JSON.stringify(right)} as versions`);
  return result;
}
