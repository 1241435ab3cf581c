import { hasCode } from '../../errors/index.ts';
import { type MarshalDict, type MarshalValue, type PyObject } from '../codec/index.ts';
import { notFound, unexpectedResponse } from '../errors.ts';
import type { SlapConnection } from './connection.ts';
import { ComputerPartition } from './computer-partition.ts';
import { decodeAnswer, describe, documentOf, isDict, listAttribute } from './documents.ts';
import { SoftwareRelease } from './software-release.ts';

/** What one getFullComputerInformation told about a computer. */
interface ComputerInformation {
  raw: PyObject;
  partitions: ComputerPartition[];
  softwareReleases: SoftwareRelease[];
}

/** Key and certificate of a computer (masters only). */
export interface ComputerCertificate {
  key: string;
  certificate: string;
}

/**
 * A computer (node). Its software releases and partitions come from one
 * getFullComputerInformation, made on first use and kept for the object's
 * life, as in the original: make a new Computer to see newer data.
 */
export class Computer {
  private readonly connection: SlapConnection;
  private readonly computerId: string;
  private information: Promise<ComputerInformation> | undefined;

  constructor(connection: SlapConnection, computerId: string) {
    this.connection = connection;
    this.computerId = computerId;
  }

  getId(): string {
    return this.computerId;
  }

  /** The software releases the master wants on this computer, with their requested states. */
  async getSoftwareReleaseList(): Promise<SoftwareRelease[]> {
    return [...(await this.sync()).softwareReleases];
  }

  /** Every partition of the computer, free or allocated, in the master's order. */
  async getComputerPartitionList(): Promise<ComputerPartition[]> {
    return [...(await this.sync()).partitions];
  }

  /** The decoded Computer object of getFullComputerInformation, unknown attributes included. */
  async getInformation(): Promise<PyObject> {
    return (await this.sync()).raw;
  }

  /** Registers the computer and its partitions (slapformat); `xml` is the marshalled description. */
  async updateConfiguration(xml: string): Promise<string> {
    return this.connection.transport.post('loadComputerConfigurationFromXML', { xml });
  }

  /** Sends a usage report (TioXML); an empty one is not sent. */
  async reportUsage(computerUsage: string): Promise<void> {
    if (computerUsage === '') return;
    await this.connection.transport.post('useComputer', { computer_id: this.computerId, use_string: computerUsage });
  }

  async bang(message: string): Promise<void> {
    await this.connection.transport.post('computerBang', { computer_id: this.computerId, message });
  }

  /** The master's status of this computer (masters only). */
  async getStatus(): Promise<MarshalValue> {
    return decodeAnswer(await this.connection.transport.get('getComputerStatus', { computer_id: this.computerId }), 'getComputerStatus');
  }

  /** A new key and certificate for this computer (masters only). */
  async generateCertificate(): Promise<ComputerCertificate> {
    const answer = decodeAnswer(await this.connection.transport.post('generateComputerCertificate', { computer_id: this.computerId }), 'generateComputerCertificate');
    if (!isDict(answer) || typeof answer.key !== 'string' || typeof answer.certificate !== 'string') {
      throw unexpectedResponse('generateComputerCertificate', `expected a dictionary with key and certificate, got ${describe(answer)}`);
    }
    return { key: answer.key, certificate: answer.certificate };
  }

  async revokeCertificate(): Promise<void> {
    await this.connection.transport.post('revokeComputerCertificate', { computer_id: this.computerId });
  }

  private sync(): Promise<ComputerInformation> {
    // Concurrent first calls share one request; a failed one is forgotten so a later call retries.
    this.information ??= this.fetch().catch((error: unknown) => {
      this.information = undefined;
      throw error;
    });
    return this.information;
  }

  private async fetch(): Promise<ComputerInformation> {
    if (!this.computerId) throw notFound('getFullComputerInformation: the computer id is empty');
    const query = { computer_id: this.computerId };
    let answer: string;
    try {
      answer = await this.connection.transport.get('getFullComputerInformation', query);
    } catch (error) {
      // Old masters only know the former name of the call.
      if (!hasCode(error, 'SLAP_ERR_NOT_FOUND')) throw error;
      answer = await this.connection.transport.get('getComputerInformation', query);
    }
    const raw = decodeAnswer(answer, 'getFullComputerInformation');
    const { attributes } = documentOf(raw, ['Computer'], 'getFullComputerInformation');
    return {
      raw: raw as PyObject,
      partitions: listAttribute(attributes, '_computer_partition_list', 'getFullComputerInformation')
        .map((item) => new ComputerPartition(this.connection, documentAttributes(item, 'ComputerPartition'))),
      softwareReleases: listAttribute(attributes, '_software_release_list', 'getFullComputerInformation')
        .map((item) => new SoftwareRelease(this.connection, documentAttributes(item, 'SoftwareRelease'))),
    };
  }
}

function documentAttributes(item: MarshalValue, className: 'ComputerPartition' | 'SoftwareRelease'): MarshalDict {
  return documentOf(item, [className], 'getFullComputerInformation').attributes;
}
