import type { Logger } from '../log/index.ts';
import { Slap } from '../slap/index.ts';

/** Where the node's master is and the node's own TLS files, as slapos.cfg names them. */
export interface NodeMasterAccess {
  masterUrl: string;
  keyFile?: string;
  certFile?: string;
  masterCaFile?: string;
}

/** A SLAP connection to the master under the node's credentials; the caller closes it. */
export function connectNodeToMaster(access: NodeMasterAccess, logger: Logger): Slap {
  const slap = new Slap({ logger });
  slap.initializeConnection(access.masterUrl, { keyFile: access.keyFile, certFile: access.certFile, caFile: access.masterCaFile });
  return slap;
}
