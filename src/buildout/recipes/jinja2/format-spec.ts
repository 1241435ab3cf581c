import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import { exponentDigits, fixedDigits, floatRepr, isFloat, numeric } from './numbers.ts';

/**
 * Python's format-spec mini-language (`"{:>8}"`, `"{:05d}"`, `"{:.2f}"`,
 * `"{:,}"`) for str.format: fill and alignment, sign, zero padding, width,
 * thousands separator, precision and the usual presentation types.
 */

const SPEC = /^(?:(.)?([<>^=]))?([-+ ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su;

function specError(spec: string, value: unknown): BuildoutError {
  return new BuildoutError(BuildoutErrorCode.TEMPLATE, `invalid format specifier '${spec}' for ${typeof value === 'string' ? 'str' : 'this value'}`);
}

function groupThousands(digits: string, separator: string): string {
  const [whole = '', fraction] = digits.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** `%e`/`{:e}`: one digit, `places` decimals, a signed exponent of at least two digits. */
export function scientific(magnitude: number, places: number): string {
  const { mantissa, exponent } = exponentDigits(magnitude, places + 1);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/**
 * The general format (`g`): `precision` significant digits, in exponent
 * notation when the exponent is below -4 or not below the precision;
 * trailing zeros dropped unless `alternate`. `minimal` is the format without
 * a type: exponent notation from one digit earlier, one digit kept after the point.
 */
function general(magnitude: number, precision: number, alternate: boolean, minimal: boolean): string {
  const digits = precision === 0 ? 1 : precision;
  const { mantissa, exponent } = exponentDigits(magnitude, digits);
  // `#` keeps the trailing zeros and always shows the point.
  const trim = (text: string): string => (alternate ? (text.includes('.') ? text : `${text}.`) : text.includes('.') ? text.replace(/\.?0+$/, '') : text);
  if (exponent < -4 || exponent >= (minimal ? digits - 1 : digits)) {
    return `${trim(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = trim(fixedDigits(magnitude, Math.max(0, digits - 1 - exponent)));
  return minimal && !fixed.includes('.') ? `${fixed}.0` : fixed;
}

/** The number as `type` shows it, without sign. */
function formatNumber(number: number, type: string, precision: number | undefined, value: unknown, alternate: boolean): string {
  const magnitude = Math.abs(number);
  switch (type) {
    case 'd': case 'n': return String(Math.trunc(magnitude));
    case 'f': case 'F': return fixedDigits(magnitude, precision ?? 6);
    case 'e': case 'E': {
      const text = scientific(magnitude, precision ?? 6);
      return type === 'E' ? text.toUpperCase() : text;
    }
    case 'g': case 'G': {
      const text = general(magnitude, precision ?? 6, alternate, false);
      return type === 'G' ? text.toUpperCase() : text;
    }
    case '%': return `${fixedDigits(magnitude * 100, precision ?? 6)}%`;
    case 'x': return Math.trunc(magnitude).toString(16);
    case 'X': return Math.trunc(magnitude).toString(16).toUpperCase();
    case 'o': return Math.trunc(magnitude).toString(8);
    case 'b': return Math.trunc(magnitude).toString(2);
    case 'c': return String.fromCodePoint(magnitude);
    default:
      if (!isFloat(value)) return String(magnitude);
      return precision === undefined ? floatRepr(magnitude) : general(magnitude, precision, alternate, true);
  }
}

/** `value` formatted by `spec`; `text` is how str() shows a value that is not a number. */
export function formatSpec(value: unknown, spec: string, text: (value: unknown) => string): string {
  if (spec === '') return text(value);
  const match = SPEC.exec(spec);
  if (match === null) throw specError(spec, value);
  const [, fillChar, alignChar, sign = '-', alternate, zero, widthText, grouping, precisionText, type = ''] = match;
  const width = widthText === undefined ? 0 : Number(widthText);
  const precision = precisionText === undefined ? undefined : Number(precisionText);
  const number = typeof value === 'boolean' && type === '' ? undefined : numeric(value);
  let body: string;
  let prefix = '';
  if (number === undefined || type === 's') {
    if (type !== '' && type !== 's') throw specError(spec, value);
    body = text(value);
    if (precision !== undefined) body = body.slice(0, precision);
  } else {
    body = formatNumber(number, type, precision, value, alternate !== undefined);
    if (grouping !== undefined) body = groupThousands(body, grouping);
    prefix = number < 0 || Object.is(number, -0) ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
    if (alternate !== undefined && 'xXob'.includes(type)) prefix += `0${type}`;
  }
  const isNumber = number !== undefined && type !== 's';
  const fill = fillChar ?? (zero !== undefined && alignChar === undefined ? '0' : ' ');
  const align = alignChar ?? (zero !== undefined && isNumber ? '=' : isNumber ? '>' : '<');
  const padding = Math.max(0, width - prefix.length - [...body].length);
  switch (align) {
    case '<': return prefix + body + fill.repeat(padding);
    case '^': return fill.repeat(Math.floor(padding / 2)) + prefix + body + fill.repeat(Math.ceil(padding / 2));
    case '=': return prefix + fill.repeat(padding) + body;
    default: return fill.repeat(padding) + prefix + body;
  }
}
