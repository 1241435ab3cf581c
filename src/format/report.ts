/**
 * Telling the master what this computer has: the computer dict, marshalled,
 * through the SLAP library (loadComputerConfigurationFromXML).
 */
import { hasCode } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { Slap, marshal } from '../slap/index.ts';
import { toComputerDict, type ComputerDefinition } from './computer.ts';
import { FormatError, FormatErrorCode } from './errors.ts';
import type { FormatOptions } from './options.ts';

export type ReportOptions = Pick<FormatOptions, 'masterUrl' | 'keyFile' | 'certFile' | 'masterCaFile' | 'computerId'>;

export async function reportComputer(computer: ComputerDefinition, options: ReportOptions, logger: Logger): Promise<void> {
  const slap = new Slap({ logger });
  // as the original: the node certificate is used only when both halves are configured, and only https carries it
  const tls = options.masterUrl.startsWith('https:') && options.keyFile !== undefined && options.certFile !== undefined
    ? { keyFile: options.keyFile, certFile: options.certFile, caFile: options.masterCaFile }
    : {};
  try {
    slap.initializeConnection(options.masterUrl, tls);
    await slap.registerComputer(computer.reference).updateConfiguration(marshal(toComputerDict(computer)));
  } catch (error) {
    if (hasCode(error, 'SLAP_ERR_NOT_FOUND')) {
      throw new FormatError(FormatErrorCode.NOT_REGISTERED, `the master at ${options.masterUrl} does not know computer ${JSON.stringify(options.computerId)}: check computer_id in slapos.cfg`, { cause: error });
    }
    throw new FormatError(FormatErrorCode.REPORT, `the computer is formatted but the master at ${options.masterUrl} could not be told: ${(error as Error).message}`, { cause: error });
  } finally {
    await slap.close();
  }
}
