import { Logger } from '../../log/index.ts';
import { SlapError, invalidArgument, unexpectedResponse } from '../errors.ts';
import { HttpTransport, type HttpTransportOptions } from '../transport/http.ts';
import { withLogging } from '../transport/logging.ts';
import { withRetryOnNotReady, type RetryOnNotReadyOptions } from '../transport/retry.ts';
import { composeTransport, type TransportWrapper } from '../transport/transport.ts';
import { Computer } from './computer.ts';
import { ComputerPartition } from './computer-partition.ts';
import type { SlapConnection } from './connection.ts';
import { decodeAnswer, describe } from './documents.ts';
import { OpenOrder } from './open-order.ts';
import { SoftwareRelease } from './software-release.ts';
import { Supply } from './supply.ts';

export interface SlapOptions {
  /** Where swallowed failures (error reports) and, at debug level, SLAP calls are logged; stderr by default. */
  logger?: Logger;
}

export interface ConnectionOptions extends Omit<HttpTransportOptions, 'masterUrl'> {
  /** Retry calls the master answers with 408 ("not ready"); none by default, as in the original. */
  retryOnNotReady?: RetryOnNotReadyOptions;
  /** slapgrid's instance root when running in an instance's buildout (`SLAPGRID_INSTANCE_ROOT`). */
  instanceRoot?: string;
}

/**
 * The entry point of the SLAP library, as Python's `slap`: connect to a
 * master, then get the objects to work with.
 *
 *   const slap = new Slap();
 *   slap.initializeConnection('http://127.0.0.1:8080');
 *   const partitions = await slap.registerComputer('COMP-1').getComputerPartitionList();
 *   await slap.close();
 */
export class Slap {
  private readonly logger: Logger;
  private http: HttpTransport | undefined;
  private connection: SlapConnection | undefined;

  constructor(options: SlapOptions = {}) {
    this.logger = options.logger ?? new Logger();
  }

  /** Sets the master to talk to; no network traffic yet. Bad options throw SLAP_ERR_INVALID_OPTION. */
  initializeConnection(masterUrl: string, options: ConnectionOptions = {}): void {
    const { retryOnNotReady, instanceRoot, ...httpOptions } = options;
    const http = new HttpTransport({ masterUrl, ...httpOptions });
    const wrappers: TransportWrapper[] = [withLogging(this.logger)];
    if (retryOnNotReady !== undefined) wrappers.push(withRetryOnNotReady(retryOnNotReady));
    const previous = this.http;
    this.http = http;
    this.connection = { transport: composeTransport(http, ...wrappers), logger: this.logger, instanceRoot };
    // In-flight calls of the previous connection finish first: HttpTransport.close() waits for them.
    previous?.close().catch((error: unknown) => this.logger.debug('closing the previous master connection failed', { error }));
  }

  /** Closes the connections kept alive to the master. */
  async close(): Promise<void> {
    await this.http?.close();
  }

  registerComputer(computerId: string): Computer {
    return new Computer(this.connected(), computerId);
  }

  /**
   * GET registerComputerPartition: the partition with its instance, as the
   * master knows it now. Empty ids reject with SLAP_ERR_NOT_FOUND before any call.
   */
  registerComputerPartition(computerId: string, partitionId: string): Promise<ComputerPartition> {
    return ComputerPartition.register(this.connected(), computerId, partitionId);
  }

  registerSoftwareRelease(url: string): SoftwareRelease {
    return SoftwareRelease.of(this.connected(), url);
  }

  registerOpenOrder(): OpenOrder {
    return new OpenOrder(this.connected());
  }

  registerSupply(): Supply {
    return new Supply(this.connected());
  }

  /**
   * The software release URLs of a software product, best first (1.x
   * masters; a proxy reads them from its configuration). Give exactly one of
   * the two.
   */
  async getSoftwareReleaseListFromSoftwareProduct(
    query: { softwareProductReference?: string; softwareReleaseUrl?: string },
  ): Promise<string[]> {
    const { softwareProductReference, softwareReleaseUrl } = query;
    if ((softwareProductReference === undefined) === (softwareReleaseUrl === undefined)) {
      throw invalidArgument('getSoftwareReleaseListFromSoftwareProduct: give exactly one of softwareProductReference and softwareReleaseUrl');
    }
    const endpoint = 'getSoftwareReleaseListFromSoftwareProduct';
    const answer = decodeAnswer(await this.connected().transport.get(endpoint,
      softwareProductReference !== undefined
        ? { software_product_reference: softwareProductReference }
        : { software_release_url: softwareReleaseUrl as string }), endpoint);
    if (!Array.isArray(answer) || !answer.every((url) => typeof url === 'string')) {
      throw unexpectedResponse(endpoint, `expected a list of URLs, got ${describe(answer)}`);
    }
    return answer as string[];
  }

  private connected(): SlapConnection {
    if (this.connection === undefined) {
      throw new SlapError('SLAP_ERR_NOT_CONNECTED', 'call initializeConnection() before using the SLAP library');
    }
    return this.connection;
  }
}
