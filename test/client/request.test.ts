import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log/index.ts';
import { Slap } from '../../src/slap/index.ts';
import { listServices, requestInstance, serviceInfo, supplySoftwareRelease, withMaster, type InstanceRequest } from '../../src/client/index.ts';
import { createProxy } from '../../src/proxy/index.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';
import { formatComputer, tempDir } from './helpers.ts';

const SR = 'http://example.org/frontend/software.cfg';
const base = (reference: string): InstanceRequest => ({ reference, softwareRelease: SR, shared: false, parameters: {}, filter: {} });

describe('request, list and info in process, against a real proxy', () => {
  let proxy: TestProxy;
  let slap: Slap;
  before(async () => {
    proxy = await startTestProxy();
    await formatComputer(proxy.url, 'computer', 1);
    slap = new Slap({ logger: silentLogger() });
    slap.initializeConnection(proxy.url);
    await supplySoftwareRelease(slap, SR, 'computer', 'available');
  });
  after(async () => {
    await slap.close();
    await proxy.close();
  });

  it('shows connection parameters the instance published, decoding JSON in "_"', async () => {
    const outcome = await requestInstance(slap, { ...base('front'), parameters: { _: '{"domain": "example.org"}' } });
    assert.equal(outcome.ready, true);
    const partition = await slap.registerComputerPartition('computer', 'slappart0');
    await partition.setConnectionDict({ _: JSON.stringify({ url: 'https://front.example.org' }) });
    const again = await requestInstance(slap, base('front'));
    assert.deepEqual(again.ready && again.connectionParameters, { url: 'https://front.example.org' });
    const info = await serviceInfo(slap, ['computer'], 'front');
    assert.deepEqual(info['connection-parameters'], { url: 'https://front.example.org' });
    assert.deepEqual(await listServices(slap, ['computer']), { front: SR });
  });

  it('a slave instance is hosted by the instance of the same software release', async () => {
    const outcome = await requestInstance(slap, { ...base('my-site'), shared: true, parameters: { 'url-path': '/site' } });
    assert.equal(outcome.ready, true);
  });

  it('no free partition: the master\'s own message, and nothing listed', async () => {
    await assert.rejects(withMaster(proxy.url, () => requestInstance(slap, { ...base('second'), softwareRelease: 'http://example.org/other.cfg' })),
      (error: Error & { code?: string }) => error.code === 'SLAP_ERR_NOT_FOUND' && /No free computer partition/.test(error.message));
    assert.deepEqual(Object.keys(await listServices(slap, ['computer'])), ['front']);
  });

  it('list and info need a computer to read', async () => {
    await assert.rejects(listServices(slap, []), (error: Error & { code?: string }) => error.code === 'CLIENT_ERR_CONFIG_INVALID' && /computer_id/.test(error.message));
  });
});

it('product.NAME is the best release the master lists for the product; an unknown product is refused', async (t) => {
  const proxy = await createProxy({
    databasePath: join(tempDir(t), 'proxy.db'), logger: silentLogger(), computerId: 'computer', softwareProducts: new Map([['kvm', SR]]),
  });
  const url = await proxy.listen('127.0.0.1', 0);
  t.after(() => proxy.close());
  await formatComputer(url, 'computer', 1);
  const slap = new Slap({ logger: silentLogger() });
  slap.initializeConnection(url);
  t.after(() => slap.close());
  assert.equal(await supplySoftwareRelease(slap, 'product.kvm', 'computer', 'available'), SR);
  const outcome = await requestInstance(slap, { ...base('from-product'), softwareRelease: 'product.kvm' });
  assert.equal(outcome.softwareRelease, SR);
  assert.deepEqual(await listServices(slap, ['computer']), { 'from-product': SR });
  await assert.rejects(requestInstance(slap, { ...base('x'), softwareRelease: 'product.nothing' }),
    (error: Error & { code?: string }) => error.code === 'CLIENT_ERR_SOFTWARE_URL' && /product "nothing"/.test(error.message));
});
