import { hasCode } from '../../errors/index.ts';
import { invalidArgument, notFound } from '../errors.ts';
import type { SlapConnection } from './connection.ts';

export type SupplyState = 'available' | 'destroyed';
const SUPPLY_STATES: readonly string[] = ['available', 'destroyed'];

/** Asks computers to install (or remove) software releases. */
export class Supply {
  private readonly connection: SlapConnection;

  constructor(connection: SlapConnection) {
    this.connection = connection;
  }

  /** POST supplySupply. Without a computer the master picks its default one (a proxy's own). */
  async supply(softwareRelease: string, computerGuid?: string | null, state: SupplyState = 'available'): Promise<void> {
    if (!softwareRelease) throw invalidArgument('supply: the software release URL is empty');
    if (!SUPPLY_STATES.includes(state)) {
      throw invalidArgument(`supply: state ${JSON.stringify(state)} is not one of ${SUPPLY_STATES.join(', ')}`);
    }
    try {
      await this.connection.transport.post('supplySupply', { url: softwareRelease, computer_id: computerGuid ?? null, state });
    } catch (error) {
      if (hasCode(error, 'SLAP_ERR_NOT_FOUND')) throw notFound(`Computer ${String(computerGuid ?? null)} has not been found by SlapOS Master.`);
      throw error;
    }
  }
}
