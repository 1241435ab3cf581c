import type { Slap } from '../slap/index.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';
import { resolveSoftwareProduct } from './software-release.ts';

/** `available` asks the computer to install the release, `destroyed` to remove it. */
export type SupplyState = 'available' | 'destroyed';

/**
 * Asks the master that computer `computerId` install (or remove) a software
 * release (`product.NAME` allowed); returns the URL supplied.
 */
export async function supplySoftwareRelease(slap: Slap, softwareRelease: string, computerId: string, state: SupplyState): Promise<string> {
  if (computerId.trim() === '') throw new ClientError(CLIENT_ERROR_CODES.INVALID_OPTION, 'the computer id (COMPUTER_ID) is empty');
  const url = await resolveSoftwareProduct(slap, softwareRelease);
  await slap.registerSupply().supply(url, computerId, state);
  return url;
}
