import { request } from 'node:http';
import { SaxesParser } from 'saxes';
import { SupervisordError, faultToError } from './errors.ts';

/**
 * A minimal XML-RPC client for supervisord's `/RPC2` endpoint over its UNIX
 * socket. Only the types supervisord sends and receives are handled.
 */
export type XmlRpcValue = null | boolean | number | string | XmlRpcValue[] | { [key: string]: XmlRpcValue };

/** Answers larger than this are refused (supervisord's largest answers are process lists). */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

function escapeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function encodeValue(value: XmlRpcValue): string {
  if (value === null) return '<value><nil/></value>';
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (typeof value === 'number') {
    return Number.isInteger(value) ? `<value><int>${value}</int></value>` : `<value><double>${value}</double></value>`;
  }
  if (typeof value === 'string') return `<value><string>${escapeXmlText(value)}</string></value>`;
  if (Array.isArray(value)) return `<value><array><data>${value.map(encodeValue).join('')}</data></array></value>`;
  const members = Object.entries(value)
    .map(([name, member]) => `<member><name>${escapeXmlText(name)}</name>${encodeValue(member)}</member>`)
    .join('');
  return `<value><struct>${members}</struct></value>`;
}

/** The body of an XML-RPC call. */
export function encodeCall(method: string, params: XmlRpcValue[]): string {
  const encoded = params.map((param) => `<param>${encodeValue(param)}</param>`).join('');
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeXmlText(method)}</methodName><params>${encoded}</params></methodCall>\n`;
}

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

function parseTree(xml: string): XmlElement {
  const parser = new SaxesParser();
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, children: [], text: '' };
    stack[stack.length - 1]!.children.push(element);
    stack.push(element);
  });
  parser.on('text', (text) => { stack[stack.length - 1]!.text += text; });
  parser.on('cdata', (text) => { stack[stack.length - 1]!.text += text; });
  parser.on('closetag', () => { stack.pop(); });
  parser.write(xml).close();
  const [document] = root.children;
  if (!document) throw new Error('empty document');
  return document;
}

function only(element: XmlElement, name: string): XmlElement {
  const child = element.children.find((c) => c.name === name);
  if (!child) throw new Error(`<${element.name}> has no <${name}>`);
  return child;
}

function decodeValue(value: XmlElement): XmlRpcValue {
  const [typed] = value.children;
  // A <value> without a type element holds a string.
  if (!typed) return value.text;
  switch (typed.name) {
    case 'string': return typed.text;
    case 'int': case 'i4': case 'i8': {
      const number = Number.parseInt(typed.text.trim(), 10);
      if (!Number.isFinite(number)) throw new Error(`bad integer ${JSON.stringify(typed.text)}`);
      return number;
    }
    case 'double': return Number.parseFloat(typed.text.trim());
    case 'boolean': return typed.text.trim() === '1';
    case 'nil': return null;
    case 'base64': return Buffer.from(typed.text, 'base64').toString('utf8');
    case 'dateTime.iso8601': return typed.text.trim();
    case 'array': return only(typed, 'data').children.filter((c) => c.name === 'value').map(decodeValue);
    case 'struct': {
      const struct: { [key: string]: XmlRpcValue } = Object.create(null) as { [key: string]: XmlRpcValue };
      for (const member of typed.children.filter((c) => c.name === 'member')) {
        struct[only(member, 'name').text] = decodeValue(only(member, 'value'));
      }
      return struct;
    }
    default: throw new Error(`unknown XML-RPC type <${typed.name}>`);
  }
}

/** The outcome of a call: a value, or supervisord's fault. */
export type XmlRpcResponse = { value: XmlRpcValue } | { fault: { faultCode: number; faultString: string } };

export function decodeResponse(xml: string): XmlRpcResponse {
  const response = parseTree(xml);
  if (response.name !== 'methodResponse') throw new Error(`expected <methodResponse>, got <${response.name}>`);
  const fault = response.children.find((c) => c.name === 'fault');
  if (fault) {
    const struct = decodeValue(only(fault, 'value'));
    if (struct === null || typeof struct !== 'object' || Array.isArray(struct)) throw new Error('fault is not a struct');
    return { fault: { faultCode: Number(struct.faultCode), faultString: String(struct.faultString) } };
  }
  return { value: decodeValue(only(only(only(response, 'params'), 'param'), 'value')) };
}

/**
 * Calls `method` on the supervisord listening on `socketPath`. Connection
 * problems become GRID_ERR_SUPERVISORD_UNREACHABLE, faults go through
 * `faultToError`, unreadable answers GRID_ERR_SUPERVISORD_PROTOCOL.
 */
export function callSupervisord(socketPath: string, method: string, params: XmlRpcValue[], timeoutMs: number): Promise<XmlRpcValue> {
  const body = Buffer.from(encodeCall(method, params), 'utf8');
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath,
      path: '/RPC2',
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', 'Content-Length': body.length, Host: 'localhost' },
      timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          res.destroy(new SupervisordError('GRID_ERR_SUPERVISORD_PROTOCOL', `supervisord ${method}: answer larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new SupervisordError('GRID_ERR_SUPERVISORD_PROTOCOL', `supervisord ${method}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          return;
        }
        let response: XmlRpcResponse;
        try {
          response = decodeResponse(text);
        } catch (error) {
          reject(new SupervisordError('GRID_ERR_SUPERVISORD_PROTOCOL', `supervisord ${method}: unreadable answer: ${(error as Error).message}`, { cause: error }));
          return;
        }
        if ('fault' in response) reject(faultToError(method, response.fault.faultCode, response.fault.faultString));
        else resolve(response.value);
      });
    });
    req.on('timeout', () => {
      req.destroy(new SupervisordError('GRID_ERR_SUPERVISORD_UNREACHABLE', `supervisord ${method}: no answer on ${socketPath} within ${timeoutMs} ms`));
    });
    req.on('error', (error) => {
      if (error instanceof SupervisordError) reject(error);
      else reject(new SupervisordError('GRID_ERR_SUPERVISORD_UNREACHABLE', `supervisord is not reachable on ${socketPath}: ${error.message}`, { cause: error }));
    });
    req.end(body);
  });
}
