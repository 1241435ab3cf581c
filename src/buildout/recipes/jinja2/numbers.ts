import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';

/**
 * Python's int/float distinction for templates. A JS number with a fraction
 * can only be a float, but `2.0` and `2` are the same JS number while Python
 * prints them differently (`{{ 4 / 2 }}` is `2.0`), so an integral float is
 * boxed as a `Float` (a Number object: JS arithmetic and comparisons still
 * work on it through valueOf).
 */
export class Float extends Number {}

/** `value` as a Python float. */
export function float(value: number): number | Float {
  return Number.isInteger(value) ? new Float(value) : value;
}

export function isFloat(value: unknown): boolean {
  return value instanceof Float || (typeof value === 'number' && !Number.isInteger(value));
}

/** A number (int, float or bool) as a JS number, or undefined for anything else. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return Number(value);
  return value instanceof Float ? value.valueOf() : undefined;
}

/** A number or numeric string as Python's float() reads it; NaN when it cannot. */
export function toFloat(value: unknown): number {
  const number = numeric(value);
  if (number !== undefined) return number;
  const text = typeof value === 'string' || value instanceof String ? String(value).trim() : '';
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
}

/** abs() keeps ints ints and floats floats. */
export function abs(value: unknown): number | Float {
  const number = Math.abs(operand(value, 'abs()'));
  return isFloat(value) ? float(number) : number;
}

/** Python's repr() of a float: shortest digits, exponent below 1e-4 and from 1e16. */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0)) return '-0.0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  const text = String(value);
  return text.includes('.') ? text : `${text}.0`;
}

function numberError(message: string): BuildoutError {
  return new BuildoutError(BuildoutErrorCode.TEMPLATE, message);
}

function operand(value: unknown, operator: string): number {
  const number = numeric(value);
  if (number === undefined) throw numberError(`unsupported operand type(s) for ${operator}: ${value === null ? 'NoneType' : typeof value}`);
  return number;
}

/** `x * n` on a str or a list repeats it. */
function repeat(sequence: unknown, times: unknown): unknown {
  const count = Math.max(0, operand(times, '*'));
  if (typeof sequence === 'string') return sequence.repeat(count);
  return Array.from({ length: count }, () => sequence as unknown[]).flat();
}

/** Python's binary `-`, `*`, `/`, `//`, `%` and `**` on numbers (and `*` on str/list). */
export function arithmetic(operator: string, left: unknown, right: unknown): unknown {
  if (operator === '*' && (typeof left === 'string' || Array.isArray(left))) return repeat(left, right);
  if (operator === '*' && (typeof right === 'string' || Array.isArray(right))) return repeat(right, left);
  const a = operand(left, operator);
  const b = operand(right, operator);
  const floating = isFloat(left) || isFloat(right);
  if ((operator === '/' || operator === '//' || operator === '%') && b === 0) throw numberError(`${floating ? 'float ' : ''}division by zero`);
  switch (operator) {
    case '-': return floating ? float(a - b) : a - b;
    case '*': return floating ? float(a * b) : a * b;
    case '/': return float(a / b);
    case '//': return floating ? float(Math.floor(a / b)) : Math.floor(a / b);
    case '%': { const r = ((a % b) + b) % b; return floating ? float(r) : r; }
    case '**': return floating || b < 0 ? float(a ** b) : a ** b;
    default: throw numberError(`unknown operator ${operator}`);
  }
}

/** `+` on numbers. */
export function addNumbers(left: unknown, right: unknown): number | Float {
  const sum = operand(left, '+') + operand(right, '+');
  return isFloat(left) || isFloat(right) ? float(sum) : sum;
}

/** Unary minus. */
export function negate(value: unknown): number | Float {
  const number = -operand(value, '-');
  return isFloat(value) ? float(number) : number;
}

/** The exact decimal digits of a finite positive double: value = d.ddd… × 10^exponent. */
function exactDigits(value: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = (biased === 0 ? 1 : biased) - 1075;
  // mantissa × 2^power, written as an integer times a power of ten.
  const [integer, scale] = power >= 0 ? [mantissa << BigInt(power), 0] : [mantissa * 5n ** BigInt(-power), power];
  const digits = integer.toString();
  return { digits, exponent: digits.length - 1 + scale };
}

/**
 * `digits` cut to `keep` digits, rounding half to even on the exact value
 * (as Python's formatting and round() do); `carry` tells a 9…9 became 10…0.
 */
function roundDigits(digits: string, keep: number): { kept: string; carry: boolean } {
  if (keep < 0) return { kept: '', carry: false };
  if (digits.length <= keep) return { kept: digits.padEnd(keep, '0'), carry: false };
  const kept = digits.slice(0, keep);
  const rest = digits.slice(keep);
  const tie = /^50*$/.test(rest);
  const up = rest[0]! > '5' || (rest[0] === '5' && !tie) || (tie && Number(kept.at(-1) ?? '0') % 2 === 1);
  if (!up) return { kept, carry: false };
  const incremented = (BigInt(kept === '' ? '0' : kept) + 1n).toString();
  if (kept === '' || incremented.length > keep) return { kept: '0'.repeat(keep), carry: true };
  return { kept: incremented.padStart(keep, '0'), carry: false };
}

/** `|value|` with `places` digits after the point, correctly rounded (Python's `%.Nf`). */
export function fixedDigits(value: number, places: number): string {
  const magnitude = Math.abs(value);
  if (magnitude === 0) return places > 0 ? `0.${'0'.repeat(places)}` : '0';
  const { digits, exponent } = exactDigits(magnitude);
  const keep = exponent + 1 + places;
  const { kept, carry } = roundDigits(digits, keep);
  const whole = carry ? `1${kept}` : kept;
  const all = whole.padStart(places + 1, '0');
  const point = all.length - places;
  return places > 0 ? `${all.slice(0, point)}.${all.slice(point)}` : all;
}

/** `|value|` as `d.ddd` and exponent with `significant` digits, correctly rounded (Python's `%.Ne` has N + 1). */
export function exponentDigits(value: number, significant: number): { mantissa: string; exponent: number } {
  const magnitude = Math.abs(value);
  if (magnitude === 0) return { mantissa: significant > 1 ? `0.${'0'.repeat(significant - 1)}` : '0', exponent: 0 };
  const exact = exactDigits(magnitude);
  const { kept, carry } = roundDigits(exact.digits, significant);
  const exponent = exact.exponent + (carry ? 1 : 0);
  const digits = carry ? `1${kept}`.slice(0, significant) : kept;
  return { mantissa: significant > 1 ? `${digits[0]}.${digits.slice(1)}` : digits, exponent };
}

/**
 * Python's round(): halves go to the even neighbour on the exact value;
 * without `digits` the result is an int, with it the type of `value`.
 */
export function round(value: unknown, digits?: unknown): number | Float {
  const number = operand(value, 'round()');
  const withDigits = digits !== undefined && digits !== null;
  const places = withDigits ? operand(digits, 'round()') : 0;
  const magnitude = places >= 0 ? Number(fixedDigits(number, places)) : Number(fixedDigits(number / 10 ** -places, 0)) * 10 ** -places;
  const rounded = number < 0 ? -magnitude : magnitude;
  if (!withDigits) return rounded === 0 ? 0 : rounded;
  // A negative float rounded to zero is -0.0.
  return isFloat(value) ? float(rounded) : rounded === 0 ? 0 : rounded;
}
