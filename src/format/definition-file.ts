/**
 * Definition files (`-i` / `-o`): the computer written as an INI file the
 * operator controls, one `[partition_N]` section per partition, instead of
 * what slapformat would discover. SlapOS standalone nodes are formatted this
 * way, with addresses chosen by their owner.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { ConfigFile, formatConfig } from '../config/index.ts';
import type { AddressEntry, ComputerDefinition, StoredComputer } from './computer.ts';
import { FormatError, FormatErrorCode } from './errors.ts';
import { familyOf } from './ip.ts';
import { PATH_NAME, USER_NAME } from './options.ts';

export function readDefinitionFile(path: string, partitionAmount: number): StoredComputer {
  const bad = (what: string): FormatError => new FormatError(FormatErrorCode.DEFINITION, `definition file ${path}: ${what}`);
  let config: ConfigFile;
  try {
    config = ConfigFile.parse(readFileSync(path, 'utf8'), path);
  } catch (error) {
    throw new FormatError(FormatErrorCode.DEFINITION, `cannot read definition file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const value = (section: string, option: string): string | undefined =>
    config.hasSection(section) && config.has(section, option) ? config.getString(section, option).trim() : undefined;
  const computerAddress = value('computer', 'address');
  const [address, netmask] = computerAddress === undefined ? [null, null] : splitAddress(computerAddress, () => bad(`[computer] address ${JSON.stringify(computerAddress)} is not ADDRESS/NETMASK`));
  const softwareUser = value('computer', 'software_user') ?? 'slapsoft';
  if (!USER_NAME.test(softwareUser)) throw bad(`[computer] software_user ${JSON.stringify(softwareUser)} is not a safe user name`);
  const partitions = Array.from({ length: partitionAmount }, (_, index) => {
    const section = `partition_${index}`;
    if (!config.hasSection(section)) throw bad(`no [${section}] section (partition_amount is ${partitionAmount})`);
    const required = (option: string, pattern: RegExp): string => {
      const text = value(section, option);
      if (text === undefined || !pattern.test(text)) throw bad(`[${section}] ${option} ${text === undefined ? 'is missing' : `${JSON.stringify(text)} is not a safe name`}`);
      return text;
    };
    const reference = required('pathname', PATH_NAME);
    const addressList = (value(section, 'address') ?? '').split(/\s+/).filter(Boolean).map((item): AddressEntry => {
      const [addr, mask] = splitAddress(item, () => bad(`[${section}] address ${JSON.stringify(item)} is not ADDRESS/NETMASK`));
      return { addr, netmask: mask };
    });
    return { reference, path: reference, user: required('user', USER_NAME), tap: required('network_interface', PATH_NAME), addressList };
  });
  return { address, netmask, softwareUser, partitions };
}

function splitAddress(text: string, error: () => FormatError): [string, string] {
  const [addr, netmask, extra] = text.split('/');
  if (addr === undefined || netmask === undefined || extra !== undefined || familyOf(addr) === undefined) throw error();
  return [addr, netmask];
}

export async function writeDefinitionFile(path: string, computer: ComputerDefinition): Promise<void> {
  const sections: Record<string, Record<string, string>> = {
    computer: computer.address !== null && computer.netmask !== null ? { address: `${computer.address}/${computer.netmask}` } : {},
  };
  computer.partitions.forEach((partition, index) => {
    sections[`partition_${index}`] = {
      address: partition.addressList.map((entry) => `${entry.addr}/${entry.netmask}`).join(' '),
      user: partition.user,
      network_interface: partition.tap,
      pathname: partition.reference,
    };
  });
  await writeFile(path, formatConfig(sections));
}
