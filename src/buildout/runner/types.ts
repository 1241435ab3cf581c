import type { Logger } from '../../log/index.ts';

/**
 * How slapgrid runs a buildout, whichever implementation does it: a
 * configured Python zc.buildout (`[slapos] buildout = ...`) or the built-in
 * engine (`slapos buildout`). Both are child processes, so they can run under
 * the software or partition user's uid when slapgrid runs as root.
 */
export interface BuildoutRunOptions {
  /** Directory holding the buildout.cfg to run (software or partition directory). */
  directory: string;
  /** Configuration file, relative to `directory`; default `buildout.cfg`. */
  config?: string;
  /** Run as this user when the agent is root (uid/gid numbers). */
  user?: { uid: number; gid: number; name?: string };
  /** Full environment of the child (the caller builds it as the original does). */
  env?: NodeJS.ProcessEnv;
  /** umask of the child, as the original sets it (0o022 for software, 0o077 never). */
  umask?: number;
  /** Extra command-line arguments, e.g. `buildout:newest=false`. */
  args?: string[];
  logger: Logger;
  /** Every chunk of the child's combined output, as it comes (progress, log file). */
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
  /** Past this many seconds the run is killed with everything it started (`partition_timeout`). */
  timeoutSeconds?: number;
}

export interface BuildoutResult {
  ok: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The end of the combined output, for error reports to the master. */
  outputTail: string;
  /** Killed for running past `timeoutSeconds`. */
  timedOut?: boolean;
}

export interface BuildoutRunner {
  /** `external` (zc.buildout) or `builtin`. */
  readonly kind: 'external' | 'builtin';
  run(options: BuildoutRunOptions): Promise<BuildoutResult>;
}
