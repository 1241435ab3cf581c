import { SaxesParser } from 'saxes';
import { ReportError } from './errors.ts';

/**
 * Usage documents (spec node.md §7): what an instance reports about its
 * consumption (`<consumption>`, the partition consumption schema of the
 * original) and the journal slapgrid sends to the master (`<journal>`, the
 * computer consumption schema).
 */

/** One `<movement>`: its children in document order, as (tag, text) pairs. */
export type Movement = Array<[tag: string, text: string]>;

interface Rule {
  tag: string;
  min: number;
  max: number;
  /** Text content of type xs:float. */
  float?: boolean;
  /** Attributes that must be present; an element without children rules holds text only. */
  attributes?: string[];
  children?: Rule[];
}

const one = (tag: string, extra: Partial<Rule> = {}): Rule => ({ tag, min: 1, max: 1, ...extra });
const optional = (tag: string): Rule => ({ tag, min: 0, max: 1 });
const any = (tag: string): Rule => ({ tag, min: 0, max: Infinity });

/** A movement, the same in both schemas. */
const MOVEMENT: Rule[] = [
  one('resource'), optional('title'), optional('reference'), one('quantity', { float: true }),
  one('price', { float: true }), one('VAT'), any('category'),
];

/** The partition consumption schema: what an instance writes. */
const CONSUMPTION = one('consumption', { children: [{ tag: 'movement', min: 1, max: Infinity, children: MOVEMENT }] });

/** The computer consumption schema: what the master receives. */
const JOURNAL = one('journal', {
  children: [{
    tag: 'transaction', min: 1, max: Infinity, attributes: ['type'], children: [
      optional('title'), one('start_date'), one('stop_date'), one('reference'), one('currency'), one('payment_mode'),
      any('category'),
      { tag: 'arrow', min: 1, max: Infinity, attributes: ['type'], children: [optional('source'), optional('destination')] },
      { tag: 'movement', min: 1, max: Infinity, children: MOVEMENT },
    ],
  }],
});

/** xs:float lexical space. */
const XS_FLOAT = /^\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|INF|-INF|NaN)\s*$/;

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
}

function invalid(why: string): ReportError {
  return new ReportError('GRID_ERR_USAGE_INVALID', `not a valid usage document: ${why}`);
}

function parseTree(xml: string): Element {
  const parser = new SaxesParser();
  const document: Element = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: Element[] = [document];
  parser.on('opentag', (tag) => {
    const element: Element = { name: tag.name, attributes: { ...(tag.attributes as Record<string, string>) }, children: [], text: '' };
    stack[stack.length - 1]!.children.push(element);
    stack.push(element);
  });
  parser.on('text', (text) => { stack[stack.length - 1]!.text += text; });
  parser.on('cdata', (text) => { stack[stack.length - 1]!.text += text; });
  parser.on('closetag', () => { stack.pop(); });
  try {
    parser.write(xml).close();
  } catch (error) {
    throw invalid((error as Error).message);
  }
  return document;
}

/** Checks `element` against `rule`, as the original's XML schema validation does. */
function check(element: Element, rule: Rule): void {
  const name = `<${element.name}>`;
  for (const attribute of rule.attributes ?? []) {
    if (element.attributes[attribute] === undefined) throw invalid(`${name} lacks its ${attribute} attribute`);
  }
  if (rule.children === undefined) {
    if (element.children.length > 0) throw invalid(`${name} may only hold text`);
    if (rule.float && !XS_FLOAT.test(element.text)) throw invalid(`${name} must be a number, not ${JSON.stringify(element.text)}`);
    return;
  }
  if (element.text.trim() !== '') throw invalid(`text ${JSON.stringify(element.text.trim())} directly in ${name}`);
  let index = 0;
  for (const child of rule.children) {
    let count = 0;
    while (index < element.children.length && element.children[index]!.name === child.tag && count < child.max) {
      check(element.children[index]!, child);
      index++;
      count++;
    }
    if (count < child.min) throw invalid(`${name} lacks <${child.tag}> at its place`);
  }
  if (index < element.children.length) throw invalid(`unexpected <${element.children[index]!.name}> in ${name}`);
}

function validate(xml: string, rule: Rule): Element {
  const [root, ...others] = parseTree(xml).children;
  if (root === undefined || others.length > 0) throw invalid('not one root element');
  if (root.name !== rule.tag) throw invalid(`the root is <${root.name}>, not <${rule.tag}>`);
  check(root, rule);
  return root;
}

/**
 * Reads a partition consumption document: `<consumption>` holding one or
 * more `<movement>`, each a sequence of text elements in schema order.
 * Anything else throws GRID_ERR_USAGE_INVALID saying why.
 */
export function parseConsumption(xml: string): Movement[] {
  return validate(xml, CONSUMPTION).children.map((movement) => movement.children.map((child): [string, string] => [child.name, child.text]));
}

/** Checks a computer consumption journal (one an instance prepared for the whole computer); GRID_ERR_USAGE_INVALID when it is not one. */
export function checkJournal(xml: string): void {
  validate(xml, JOURNAL);
}

/** Element text in the journal. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** `YYYY-MM-DD at HH:MM:SS`, local time, as the original's stop date. */
function stopDate(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} at ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** The usage of one partition, from one document. */
export interface PartitionUsage {
  partitionId: string;
  movements: Movement[];
}

/**
 * The computer consumption journal sent to the master (`useComputer`): one
 * "Sale Packing List" transaction holding every movement, each movement's
 * `reference` replaced by its partition id, as the original does.
 */
export function renderJournal(computerId: string, usages: PartitionUsage[], now: Date): string {
  const movements = usages.flatMap(({ partitionId, movements: list }) => list.map((movement) => {
    const children = movement.map(([tag, text]) => `<${tag}>${escapeText(tag === 'reference' ? partitionId : text)}</${tag}>`);
    return `<movement>${children.join('')}</movement>`;
  }));
  return "<?xml version='1.0' encoding='utf-8'?><journal><transaction type=\"Sale Packing List\">"
    + '<title>Resource consumptions</title><start_date></start_date>'
    + `<stop_date>${stopDate(now)}</stop_date><reference>${escapeText(computerId)}</reference>`
    + '<currency></currency><payment_mode></payment_mode><category></category>'
    + '<arrow type="Administration"><source></source><destination></destination></arrow>'
    + `${movements.join('')}</transaction></journal>`;
}
