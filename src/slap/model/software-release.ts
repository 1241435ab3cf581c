import type { Logger } from '../../log/index.ts';
import { messageOf } from '../../errors/index.ts';
import type { MarshalDict } from '../codec/index.ts';
import { invalidArgument } from '../errors.ts';
import type { SlapConnection } from './connection.ts';
import { emptyDict, textAttribute } from './documents.ts';

const WHERE = 'SoftwareRelease';

/**
 * A software release as a node sees it: a URL to install on a computer, and
 * the state the master wants it in (`available` or `destroyed`).
 */
export class SoftwareRelease {
  /** Every attribute the master sent (`_software_release`, `_computer_guid`, `_requested_state`, ...). */
  readonly attributes: MarshalDict;
  private readonly connection: SlapConnection;

  constructor(connection: SlapConnection, attributes: MarshalDict) {
    this.connection = connection;
    this.attributes = attributes;
    for (const name of ['_software_release', '_computer_guid', '_requested_state']) textAttribute(attributes, name, WHERE);
  }

  static of(connection: SlapConnection, url: string, computerGuid?: string): SoftwareRelease {
    const attributes = emptyDict();
    attributes._software_release = url;
    attributes._computer_guid = computerGuid ?? null;
    attributes._software_instance_list = [];
    return new SoftwareRelease(connection, attributes);
  }

  getURI(): string {
    const url = textAttribute(this.attributes, '_software_release', WHERE);
    if (!url) throw invalidArgument('this software release has no URL');
    return url;
  }

  getComputerId(): string {
    const computerId = textAttribute(this.attributes, '_computer_guid', WHERE);
    if (!computerId) throw invalidArgument(`software release ${String(this.attributes._software_release)} has no computer id`);
    return computerId;
  }

  /** The requested state; 0.32 masters do not send it, and mean `available`. */
  getState(): string {
    return textAttribute(this.attributes, '_requested_state', WHERE) ?? 'available';
  }

  async building(): Promise<void> {
    await this.connection.transport.post('buildingSoftwareRelease', this.fields());
  }

  async available(): Promise<void> {
    await this.connection.transport.post('availableSoftwareRelease', this.fields());
  }

  async destroyed(): Promise<void> {
    await this.connection.transport.post('destroyedSoftwareRelease', this.fields());
  }

  /**
   * Reports a failed installation. Never rejects because of the master: a
   * node reporting an error must go on with its other work, so a failed
   * report is only logged.
   */
  async error(errorLog: string, logger?: Logger): Promise<void> {
    const fields = { ...this.fields(), error_log: errorLog };
    try {
      await this.connection.transport.post('softwareReleaseError', fields);
    } catch (error) {
      (logger ?? this.connection.logger).error('cannot report the software release error to the master', {
        url: fields.url, code: (error as { code?: unknown }).code, reason: messageOf(error),
      });
    }
  }

  private fields(): { url: string; computer_id: string } {
    return { url: this.getURI(), computer_id: this.getComputerId() };
  }
}
