import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { silentLogger } from '../../src/log/index.ts';
import { Slap, marshal, type MarshalDict } from '../../src/slap/index.ts';

/** A temporary directory removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'slapos-client-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a client configuration (`[slapos]`, `[slapconsole]`) and returns its path. */
export function writeClientConfig(dir: string, masterUrl: string, extra = ''): string {
  const path = join(dir, 'slapos-client.cfg');
  writeFileSync(path, `[slapos]\nmaster_url = ${masterUrl}\ncomputer_id = computer\n\n[slapconsole]\n${extra}`);
  return path;
}

/**
 * Registers `computerId` with `count` partitions on a master, as slapformat
 * does (loadComputerConfigurationFromXML), so that requests can be allocated.
 */
export async function formatComputer(masterUrl: string, computerId: string, count: number): Promise<void> {
  const partitionList: MarshalDict[] = [];
  for (let i = 0; i < count; i += 1) {
    partitionList.push({
      reference: `slappart${i}`,
      tap: { name: `slaptap${i}` },
      address_list: [{ addr: `10.0.0.${10 + i}`, netmask: '255.255.255.0' }],
    });
  }
  const slap = new Slap({ logger: silentLogger() });
  slap.initializeConnection(masterUrl);
  try {
    await slap.registerComputer(computerId).updateConfiguration(marshal({
      reference: computerId, address: '10.0.0.1', netmask: '255.255.255.0', partition_list: partitionList,
    }));
  } finally {
    await slap.close();
  }
}
