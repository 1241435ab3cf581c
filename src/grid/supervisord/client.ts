import { SupervisordError } from './errors.ts';
import { callSupervisord, type XmlRpcValue } from './xmlrpc.ts';

/** supervisord's own state (`supervisor.getState`). RUNNING is code 1, SHUTDOWN 6. */
export interface SupervisordState {
  statecode: number;
  statename: string;
}

/** One process as `getAllProcessInfo` describes it. */
export interface ProcessInfo {
  name: string;
  group: string;
  statename: string;
  state: number;
  pid: number;
  exitstatus: number;
  description: string;
  spawnerr: string;
}

/** One entry of the array start/stopProcessGroup answer with (status 80 = SUCCESS). */
export interface ProcessResult {
  name: string;
  group: string;
  status: number;
  description: string;
}

/** Group names `reloadConfig` found added, changed and removed in the configuration files. */
export interface ConfigDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

export interface SupervisordClientOptions {
  socketPath: string;
  /** Per-call timeout; stopping a group waits for its processes (up to stopwaitsecs). */
  timeoutMs?: number;
}

type Struct = { [key: string]: XmlRpcValue };

function protocolError(method: string, what: string): SupervisordError {
  return new SupervisordError('GRID_ERR_SUPERVISORD_PROTOCOL', `supervisord ${method}: unexpected answer (${what})`);
}

function asStruct(method: string, value: XmlRpcValue): Struct {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw protocolError(method, 'not a struct');
  return value;
}

function asArray(method: string, value: XmlRpcValue): XmlRpcValue[] {
  if (!Array.isArray(value)) throw protocolError(method, 'not an array');
  return value;
}

function asStrings(method: string, value: XmlRpcValue): string[] {
  return asArray(method, value).map((item) => {
    if (typeof item !== 'string') throw protocolError(method, 'not a string');
    return item;
  });
}

function str(struct: Struct, key: string): string {
  const value = struct[key];
  return typeof value === 'string' ? value : '';
}

function int(struct: Struct, key: string): number {
  const value = struct[key];
  return typeof value === 'number' ? value : 0;
}

function toProcessResult(method: string, value: XmlRpcValue): ProcessResult {
  const struct = asStruct(method, value);
  return { name: str(struct, 'name'), group: str(struct, 'group'), status: int(struct, 'status'), description: str(struct, 'description') };
}

/**
 * Typed calls to one supervisord over its UNIX socket. Each call opens its
 * own connection, so a client can be kept while supervisord restarts.
 */
export class SupervisordClient {
  readonly socketPath: string;
  private readonly timeoutMs: number;

  constructor(options: SupervisordClientOptions) {
    if (typeof options.socketPath !== 'string' || options.socketPath === '') {
      throw new TypeError('SupervisordClient: socketPath must be a non-empty string');
    }
    if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) {
      throw new TypeError('SupervisordClient: timeoutMs must be a positive integer');
    }
    this.socketPath = options.socketPath;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  private call(method: string, params: XmlRpcValue[] = []): Promise<XmlRpcValue> {
    return callSupervisord(this.socketPath, `supervisor.${method}`, params, this.timeoutMs);
  }

  async getState(): Promise<SupervisordState> {
    const struct = asStruct('getState', await this.call('getState'));
    return { statecode: int(struct, 'statecode'), statename: str(struct, 'statename') };
  }

  /** Rereads the configuration files; nothing is applied until groups are added or removed. */
  async reloadConfig(): Promise<ConfigDiff> {
    const outer = asArray('reloadConfig', await this.call('reloadConfig'));
    const [added, changed, removed] = asArray('reloadConfig', outer[0] ?? null);
    return {
      added: asStrings('reloadConfig', added ?? []),
      changed: asStrings('reloadConfig', changed ?? []),
      removed: asStrings('reloadConfig', removed ?? []),
    };
  }

  async addProcessGroup(name: string): Promise<void> {
    await this.call('addProcessGroup', [name]);
  }

  async removeProcessGroup(name: string): Promise<void> {
    await this.call('removeProcessGroup', [name]);
  }

  async startProcessGroup(name: string, wait: boolean): Promise<ProcessResult[]> {
    return asArray('startProcessGroup', await this.call('startProcessGroup', [name, wait])).map((v) => toProcessResult('startProcessGroup', v));
  }

  async stopProcessGroup(name: string, wait: boolean): Promise<ProcessResult[]> {
    return asArray('stopProcessGroup', await this.call('stopProcessGroup', [name, wait])).map((v) => toProcessResult('stopProcessGroup', v));
  }

  async startAllProcesses(wait: boolean): Promise<ProcessResult[]> {
    return asArray('startAllProcesses', await this.call('startAllProcesses', [wait])).map((v) => toProcessResult('startAllProcesses', v));
  }

  async getAllProcessInfo(): Promise<ProcessInfo[]> {
    return asArray('getAllProcessInfo', await this.call('getAllProcessInfo')).map((value) => {
      const struct = asStruct('getAllProcessInfo', value);
      return {
        name: str(struct, 'name'),
        group: str(struct, 'group'),
        statename: str(struct, 'statename'),
        state: int(struct, 'state'),
        pid: int(struct, 'pid'),
        exitstatus: int(struct, 'exitstatus'),
        description: str(struct, 'description'),
        spawnerr: str(struct, 'spawnerr'),
      };
    });
  }

  /** Stops every process and supervisord itself. */
  async shutdown(): Promise<void> {
    await this.call('shutdown');
  }
}
