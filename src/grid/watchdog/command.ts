import type { NodeConfig } from '../node-config.ts';

/**
 * The watchdog's command line in supervisord.conf (spec node.md §3.2).
 * supervisord splits `command` with Python's shlex, so each word is written
 * in POSIX shell quoting; `%` and line breaks are refused where the section
 * is written (supervisord's own expansion and the file format).
 */
function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** What the watchdog needs to bang partitions on the master. */
export interface WatchdogCommandOptions {
  /** argv prefix running this project's `slapos` command (node and script, or an installed bin). */
  program: string[];
  masterUrl: string;
  computerId: string;
  instanceRoot: string;
  /** Partition certificates, used to authenticate each bang (HEAD). */
  certificateRepositoryPath?: string;
  /** The node's certificate, used when there is no partition certificate (0.32). */
  keyFile?: string;
  certFile?: string;
}

/** The `slapos node watchdog …` command line supervisord runs as its event listener. */
export function renderWatchdogCommand(options: WatchdogCommandOptions): string {
  const words = [...options.program, 'node', 'watchdog',
    '--master-url', options.masterUrl,
    '--computer-id', options.computerId,
    '--instance-root-path', options.instanceRoot];
  if (options.certificateRepositoryPath !== undefined) words.push('--certificate-repository-path', options.certificateRepositoryPath);
  if (options.keyFile !== undefined && options.certFile !== undefined) words.push('--key-file', options.keyFile, '--cert-file', options.certFile);
  return words.map(shellWord).join(' ');
}

/** The watchdog command line for a node configuration. */
export function watchdogCommandFor(config: NodeConfig, program: string[]): string {
  return renderWatchdogCommand({
    program,
    masterUrl: config.masterUrl,
    computerId: config.computerId,
    instanceRoot: config.instanceRoot,
    ...(config.certificateRepositoryPath === undefined ? {} : { certificateRepositoryPath: config.certificateRepositoryPath }),
    ...(config.keyFile === undefined ? {} : { keyFile: config.keyFile }),
    ...(config.certFile === undefined ? {} : { certFile: config.certFile }),
  });
}
