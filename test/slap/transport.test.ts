import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Logger, MemorySink } from '../../src/log/index.ts';
import { encodeForm } from '../../src/slap/transport/form.ts';
import { HttpTransport } from '../../src/slap/transport/http.ts';
import { withLogging } from '../../src/slap/transport/logging.ts';
import { withRetryOnNotReady } from '../../src/slap/transport/retry.ts';
import { composeTransport, type SlapTransport } from '../../src/slap/transport/transport.ts';
import { bracketIpv6Host } from '../../src/slap/transport/master-url.ts';
import { startTestMaster, type TestMaster } from './helpers/master.ts';
import { createTestPki, type TestPki } from './helpers/tls.ts';
import { rejectsWith } from '../helpers/assert.ts';

describe('HttpTransport over plain HTTP', () => {
  let master: TestMaster;
  const transports: HttpTransport[] = [];
  const transport = (masterUrl: string, timeoutMs?: number): HttpTransport => {
    const created = new HttpTransport({ masterUrl, timeoutMs });
    transports.push(created);
    return created;
  };

  before(async () => { master = await startTestMaster(); });
  after(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await master.close();
  });

  it('resolves endpoint names below the master URL path, with or without a trailing slash', async () => {
    master.respond(() => ({ body: 'OK' }));
    master.calls.length = 0;
    await transport(master.url).get('getRunId');
    await transport(`${master.url}/`).get('getRunId');
    await transport(`${master.url}/prefix`).get('getRunId');
    await transport(`${master.url}/prefix/`).post('useComputer');
    assert.deepEqual(master.calls.map((c) => `${c.method} ${c.path}`), [
      'GET /getRunId', 'GET /getRunId', 'GET /prefix/getRunId', 'POST /prefix/useComputer',
    ]);
  });

  it('percent-encodes GET parameters and sends the 1.x headers', async () => {
    master.respond(() => ({ body: '<marshal><none/></marshal>' }));
    master.calls.length = 0;
    const body = await transport(master.url).get('getFullComputerInformation', { computer_id: 'COMP 1&x=é' });
    assert.equal(body, '<marshal><none/></marshal>');
    const [call] = master.calls;
    assert.equal(call?.method, 'GET');
    assert.equal(call?.rawQuery, 'computer_id=COMP+1%26x%3D%C3%A9');
    assert.equal(call?.query.computer_id, 'COMP 1&x=é');
    assert.equal(call?.headers.accept, '*/*');
    assert.match(call?.headers['user-agent'] ?? '', /^slapos\.ts/);
  });

  it('POSTs a form encoded as Python urlencode does, None for null', async () => {
    master.respond(() => ({ body: 'done' }));
    master.calls.length = 0;
    const answer = await transport(master.url).post('setComputerPartitionConnectionXml', {
      computer_id: 'COMP-1',
      connection_xml: '<marshal><string>a b~*\'()!</string></marshal>',
      slave_reference: null,
    });
    assert.equal(answer, 'done');
    const [call] = master.calls;
    assert.equal(call?.method, 'POST');
    assert.equal(call?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(call?.body,
      'computer_id=COMP-1&connection_xml=%3Cmarshal%3E%3Cstring%3Ea+b~%2A%27%28%29%21%3C%2Fstring%3E%3C%2Fmarshal%3E&slave_reference=None');
    assert.deepEqual(call?.form, {
      computer_id: 'COMP-1', connection_xml: '<marshal><string>a b~*\'()!</string></marshal>', slave_reference: 'None',
    });
  });

  it('decodes answers with their declared charset, UTF-8 by default', async () => {
    master.respond(() => ({ body: 'Supplied \'https://é\'', contentType: 'text/plain' }));
    assert.equal(await transport(master.url).post('supplySupply'), 'Supplied \'https://é\'');
    master.respond(() => ({ body: 'caf\u00e9', contentType: 'text/plain; charset=utf-8' }));
    assert.equal(await transport(master.url).get('x'), 'café');
  });

  it('accepts any 2xx status', async () => {
    master.respond(() => ({ status: 201, body: 'created' }));
    assert.equal(await transport(master.url).post('x'), 'created');
  });

  const statuses: Array<[number, string, string]> = [
    [404, 'SLAP_ERR_NOT_FOUND', 'not found (HTTP 404)'],
    [408, 'SLAP_ERR_RESOURCE_NOT_READY', 'not ready yet (HTTP 408)'],
    [403, 'SLAP_ERR_UNAUTHORIZED', 'not allowed (HTTP 403)'],
    [500, 'SLAP_ERR_SERVER', 'HTTP 500'],
    [400, 'SLAP_ERR_SERVER', 'HTTP 400'],
    [405, 'SLAP_ERR_SERVER', 'HTTP 405'],
    [302, 'SLAP_ERR_SERVER', 'HTTP 302'],
  ];
  for (const [status, code, text] of statuses) {
    it(`maps HTTP ${status} to ${code}, naming the endpoint and its parameters`, async () => {
      master.respond(() => ({ status, body: '<html><p>No free computer partition found for: MyInstance</p></html>' }));
      await rejectsWith(transport(master.url).get('registerComputerPartition', { computer_reference: 'COMP-1', computer_partition_reference: 'slappart9' }),
        code, 'registerComputerPartition', 'computer_reference=COMP-1', 'computer_partition_reference=slappart9', text,
        'No free computer partition found for: MyInstance');
      await rejectsWith(transport(master.url).post('requestComputerPartition', { partition_reference: 'MyInstance', filter_xml: '<marshal/>' }),
        code, 'requestComputerPartition (partition_reference=MyInstance)');
    });
  }

  it('refuses answers larger than maxResponseBytes', async () => {
    master.respond(() => ({ body: 'x'.repeat(5000) }));
    const small = new HttpTransport({ masterUrl: master.url, maxResponseBytes: 1000 });
    transports.push(small);
    await rejectsWith(small.get('getFullComputerInformation', { computer_id: 'COMP-1' }), 'SLAP_ERR_RESPONSE_TOO_LARGE',
      'getFullComputerInformation (computer_id=COMP-1)', '1000 bytes');
    assert.equal((await transport(master.url).get('x')).length, 5000);
  });

  it('maps a refused connection to SLAP_ERR_CONNECTION with a hint', async () => {
    const closed = await closedPort();
    await rejectsWith(transport(`http://127.0.0.1:${closed}`).get('getFullComputerInformation', { computer_id: 'COMP-1' }),
      'SLAP_ERR_CONNECTION', 'getFullComputerInformation (computer_id=COMP-1)', 'ECONNREFUSED', 'master_url');
  });

  it('maps a master that does not answer in time to SLAP_ERR_CONNECTION', async () => {
    const silent = await silentServer();
    try {
      await rejectsWith(transport(`http://127.0.0.1:${silent.port}`, 100).post('useComputer', { computer_id: 'COMP-1' }),
        'SLAP_ERR_CONNECTION', 'useComputer (computer_id=COMP-1)', 'ETIMEDOUT');
    } finally {
      await silent.close();
    }
  });

  it('refuses bad master URLs and options before any call', () => {
    for (const url of ['ftp://127.0.0.1/', 'http://127.0.0.1/?a=b', 'http://127.0.0.1/#x', 'not a url']) {
      assert.throws(() => new HttpTransport({ masterUrl: url }), { code: 'SLAP_ERR_INVALID_OPTION' }, url);
    }
    assert.throws(() => new HttpTransport({ masterUrl: master.url, timeoutMs: 0 }), { code: 'SLAP_ERR_INVALID_OPTION', message: /timeoutMs/ });
    assert.throws(() => new HttpTransport({ masterUrl: 'https://127.0.0.1/', keyFile: '/nonexistent/key.pem' }),
      { code: 'SLAP_ERR_INVALID_OPTION', message: /keyFile and certFile go together/ });
    assert.throws(() => new HttpTransport({ masterUrl: 'https://127.0.0.1/', keyFile: '/nonexistent/k.pem', certFile: '/nonexistent/c.pem' }),
      { code: 'SLAP_ERR_INVALID_OPTION', message: /keyFile: cannot read \/nonexistent\/k\.pem/ });
  });
});

describe('master URL', () => {
  it('brackets IPv6 literals written without brackets, as the 1.x client', () => {
    assert.equal(bracketIpv6Host('http://fe80:1234:1234:1234:1:1:1:1:5000/foo/'), 'http://[fe80:1234:1234:1234:1:1:1:1]:5000/foo/');
    assert.equal(bracketIpv6Host('http://fe80:1234:1234:1234:1:1:1:1/foo/'), 'http://[fe80:1234:1234:1234:1:1:1:1]/foo/');
    assert.equal(bracketIpv6Host('http://[fe80::1]:5000/foo/'), 'http://[fe80::1]:5000/foo/');
    assert.equal(bracketIpv6Host('http://127.0.0.1:5000/'), 'http://127.0.0.1:5000/');
    assert.equal(bracketIpv6Host('https://slap.example.com'), 'https://slap.example.com');
  });

  it('is normalised to end with a slash, IPv6 host bracketed', async (t) => {
    const transport = new HttpTransport({ masterUrl: 'http://fe80:1234:1234:1234:1:1:1:1:5000/prefix' });
    t.after(() => transport.close());
    assert.equal(transport.masterUrl.href, 'http://[fe80:1234:1234:1234:1:1:1:1]:5000/prefix/');
  });
});

describe('form encoding', () => {
  it('decodes back to the same fields for any text, using only the characters Python leaves unescaped', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1 }), fc.option(fc.string({ unit: 'grapheme' }))), (fields) => {
      const encoded = encodeForm(fields);
      assert.match(encoded, /^[A-Za-z0-9_.~+%=&-]*$/);
      const expected = Object.entries(fields).map(([key, value]) => [key, value ?? 'None']);
      assert.deepEqual([...new URLSearchParams(encoded)], expected);
    }));
  });

  it('refuses text that is not valid Unicode', () => {
    assert.throws(() => encodeForm({ message: 'broken \ud800' }), { code: 'SLAP_ERR_INVALID_ARGUMENT', message: /message/ });
  });
});

describe('transport wrappers', () => {
  /** A transport answering from a script of outcomes, recording the calls. */
  function scripted(outcomes: Array<string | Error>): SlapTransport & { calls: string[] } {
    const calls: string[] = [];
    const next = (endpoint: string): Promise<string> => {
      calls.push(endpoint);
      const outcome = outcomes.shift() ?? new Error('script exhausted');
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    };
    return { calls, get: next, post: next };
  }
  const slapError = (code: string): Error => Object.assign(new Error(code), { code });

  it('retries 408 answers, then returns the answer', async () => {
    const base = scripted([slapError('SLAP_ERR_RESOURCE_NOT_READY'), slapError('SLAP_ERR_RESOURCE_NOT_READY'), 'ok']);
    const transport = composeTransport(base, withRetryOnNotReady({ attempts: 3, delayMs: 0 }));
    assert.equal(await transport.post('requestComputerPartition', {}), 'ok');
    assert.equal(base.calls.length, 3);
  });

  it('gives up after the last attempt, and never retries other errors', async () => {
    const notReady = scripted([slapError('SLAP_ERR_RESOURCE_NOT_READY'), slapError('SLAP_ERR_RESOURCE_NOT_READY')]);
    await rejectsWith(composeTransport(notReady, withRetryOnNotReady({ attempts: 2, delayMs: 0 })).get('x'), 'SLAP_ERR_RESOURCE_NOT_READY');
    assert.equal(notReady.calls.length, 2);
    const missing = scripted([slapError('SLAP_ERR_NOT_FOUND'), 'never']);
    await rejectsWith(composeTransport(missing, withRetryOnNotReady({ attempts: 5, delayMs: 0 })).get('x'), 'SLAP_ERR_NOT_FOUND');
    assert.equal(missing.calls.length, 1);
    assert.throws(() => withRetryOnNotReady({ attempts: 0, delayMs: 0 }), { code: 'SLAP_ERR_INVALID_OPTION' });
  });

  it('logs each call and its outcome at debug level, outermost first', async () => {
    const sink = new MemorySink();
    const logger = new Logger({ level: 'debug', format: 'json', sinks: [sink] });
    const base = scripted([slapError('SLAP_ERR_RESOURCE_NOT_READY'), 'answer']);
    const transport = composeTransport(base, withLogging(logger), withRetryOnNotReady({ attempts: 2, delayMs: 0 }));
    await transport.get('getFullComputerInformation', { computer_id: 'COMP-1' });
    const lines = sink.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => [l.msg, l.endpoint]), [
      ['SLAP call', 'getFullComputerInformation'], ['SLAP answer', 'getFullComputerInformation'],
    ]);
    assert.ok(!sink.text().includes('COMP-1'), 'parameters are not logged');
  });
});

describe('HttpTransport over TLS', () => {
  let pki: TestPki;
  let master: TestMaster;

  before(async () => {
    pki = createTestPki();
    master = await startTestMaster({
      tls: {
        key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ca: readFileSync(pki.caCert),
        requestCert: true, rejectUnauthorized: true,
      },
      responder: (call) => ({ body: call.path }),
    });
  });
  after(async () => {
    await master.close();
    pki.remove();
  });

  const withTransport = async (options: { keyFile?: string; certFile?: string; caFile?: string }, use: (t: HttpTransport) => Promise<void>): Promise<void> => {
    const transport = new HttpTransport({ masterUrl: master.url, ...options });
    try {
      await use(transport);
    } finally {
      await transport.close();
    }
  };

  it('authenticates with the client certificate and verifies the master against caFile', async () => {
    await withTransport({ keyFile: pki.clientKey, certFile: pki.clientCert, caFile: pki.caCert }, async (t) => {
      assert.equal(await t.get('getFullComputerInformation', { computer_id: 'COMP-123' }), '/getFullComputerInformation');
    });
  });

  it('does not verify the master without caFile, as both Python clients', async () => {
    await withTransport({ keyFile: pki.clientKey, certFile: pki.clientCert }, async (t) => {
      assert.equal(await t.post('useComputer'), '/useComputer');
    });
  });

  it('maps a master certificate from another CA to SLAP_ERR_AUTHENTICATION', async () => {
    await withTransport({ keyFile: pki.clientKey, certFile: pki.clientCert, caFile: pki.otherCaCert }, async (t) => {
      await rejectsWith(t.get('getFullComputerInformation', { computer_id: 'COMP-123' }), 'SLAP_ERR_AUTHENTICATION',
        'getFullComputerInformation (computer_id=COMP-123)', 'certificate');
    });
  });

  it('hints at the client certificate when the master closes the connection (TLS 1.3)', async () => {
    await withTransport({ caFile: pki.caCert }, async (t) => {
      await assert.rejects(t.get('getRunId'), (error: Error & { code?: string }) => {
        assert.ok(['SLAP_ERR_AUTHENTICATION', 'SLAP_ERR_CONNECTION'].includes(error.code ?? ''), error.message);
        assert.match(error.message, /^getRunId: /);
        assert.match(error.message, /client certificate/);
        return true;
      });
    });
  });

  it('checks the master\'s host name against its certificate when caFile is given', async () => {
    const transport = new HttpTransport({ masterUrl: master.url.replace('127.0.0.1', 'localhost'), caFile: pki.caCert,
      keyFile: pki.clientKey, certFile: pki.clientCert });
    try {
      await rejectsWith(transport.get('getRunId'), 'SLAP_ERR_AUTHENTICATION', 'ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      await transport.close();
    }
  });
});

describe('HttpTransport connections', () => {
  it('keeps one connection alive across calls, and close() lets calls under way finish', async (t) => {
    let connections = 0;
    let held: ServerResponse | undefined;
    let arrived: () => void = () => undefined;
    const server = createHttpServer((request, response) => {
      if (request.url === '/slow') {
        held = response;
        arrived();
      } else {
        response.end('ok');
      }
    });
    server.on('connection', () => { connections += 1; });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => { server.closeAllConnections(); server.close(); });
    const transport = new HttpTransport({ masterUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    for (const endpoint of ['getRunId', 'useComputer', 'getRunId']) assert.equal(await transport.get(endpoint), 'ok');
    assert.equal(connections, 1);

    const slowArrived = new Promise<void>((resolve) => { arrived = resolve; });
    const slow = transport.get('slow');
    await slowArrived;
    const closing = transport.close();
    held?.end('late');
    assert.equal(await slow, 'late');
    await closing;
    await rejectsWith(transport.get('getRunId'), 'SLAP_ERR_CONNECTION', 'getRunId', 'closed');
  });

  it('maps a master that stalls in the middle of its answer to SLAP_ERR_CONNECTION', async (t) => {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const transport = new HttpTransport({ masterUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 100 });
    t.after(() => transport.close());
    await rejectsWith(transport.get('getFullComputerInformation', { computer_id: 'COMP-1' }),
      'SLAP_ERR_CONNECTION', 'getFullComputerInformation (computer_id=COMP-1)', 'ETIMEDOUT');
  });
});

/** A port on 127.0.0.1 nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never answers. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => { sockets.add(socket); socket.on('error', () => undefined); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
