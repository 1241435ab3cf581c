import { invalidArgument } from '../errors.ts';
import { Computer } from './computer.ts';
import { ComputerPartition } from './computer-partition.ts';
import type { SlapConnection } from './connection.ts';
import { decodeDocument, textAttribute } from './documents.ts';
import { requestForm, type InstanceRequest } from './request-form.ts';

/** A user's requests: instances that are roots of their tree, and computers. */
export class OpenOrder {
  private readonly connection: SlapConnection;

  constructor(connection: SlapConnection) {
    this.connection = connection;
  }

  /**
   * Requests (or updates) an instance. Not allocated yet → rejects with
   * SLAP_ERR_RESOURCE_NOT_READY; no room on a 1.x proxy → SLAP_ERR_NOT_FOUND.
   */
  async request(request: InstanceRequest): Promise<ComputerPartition> {
    return ComputerPartition.sendRequest(this.connection, requestForm(request), request.state);
  }

  /** Requests a new computer (masters only). */
  async requestComputer(computerTitle: string): Promise<Computer> {
    if (!computerTitle) throw invalidArgument('requestComputer: the computer title is empty');
    const answer = await this.connection.transport.post('requestComputer', { computer_title: computerTitle });
    const { attributes } = decodeDocument(answer, ['Computer'], 'requestComputer');
    return new Computer(this.connection, textAttribute(attributes, '_computer_id', 'requestComputer') ?? '');
  }
}
