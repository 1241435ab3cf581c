import type { Logger } from '../../log/index.ts';
import type { SlapTransport } from '../transport/transport.ts';

/** What every object of the model shares once `initializeConnection()` ran. */
export interface SlapConnection {
  readonly transport: SlapTransport;
  /** Where failures that the protocol says to swallow (error reports) are logged. */
  readonly logger: Logger;
  /**
   * slapgrid's instance root, when the caller runs inside an instance's
   * buildout (`SLAPGRID_INSTANCE_ROOT`): each partition then records the
   * titles it requests, so slapgrid can destroy instances no longer requested.
   */
  readonly instanceRoot: string | undefined;
}
