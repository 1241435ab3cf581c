import { SupervisordError } from './errors.ts';

/**
 * The supervisord configuration files slapgrid generates (spec node.md §3.2,
 * §5.6). supervisord reads them with Python's ConfigParser plus its own
 * `%(name)s` expansion, shlex-splits `command` and splits the include list on
 * whitespace, and has no escape for any of these: a value is written only if
 * it means the same after all of them.
 */

// Whitespace/control characters (line breaks, inline comments, word
// splitting), `%` (expansion), quotes and backslash (shlex), `,` (lists) and
// `;`/`#` (comments) would change the meaning of a value.
const UNSAFE = /[\s\p{Cc}%'"\\,;#]/u;

/** Returns `value` when supervisord reads it back unchanged, else throws GRID_ERR_SUPERVISORD_CONFIG_VALUE naming the option. */
export function supervisordValue(option: string, value: string): string {
  const bad = UNSAFE.exec(value);
  if (value === '' || bad) {
    const why = value === '' ? 'is empty' : `contains ${JSON.stringify(bad![0])}`;
    throw new SupervisordError('GRID_ERR_SUPERVISORD_CONFIG_VALUE', `cannot write ${option} = ${JSON.stringify(value)} into a supervisord configuration: it ${why}`);
  }
  return value;
}

/** A group, program or process name: a supervisord value without `:` or `/`. */
function supervisordName(option: string, value: string): string {
  supervisordValue(option, value);
  if (/[:/]/.test(value)) {
    throw new SupervisordError('GRID_ERR_SUPERVISORD_CONFIG_VALUE', `cannot use ${JSON.stringify(value)} as a supervisord ${option}: it contains ":" or "/"`);
  }
  return value;
}

export interface SupervisordConfigOptions {
  /** Directory whose `*.conf` files supervisord includes (one per partition). */
  includeDirectory: string;
  socketPath: string;
  logFile: string;
  pidFile: string;
  /** The watchdog event listener's command line; no listener section without it. */
  watchdogCommand?: string;
}

/**
 * The `[eventlistener:watchdog]` section: the single place where the watchdog
 * is wired in. Off until a watchdog command is configured.
 */
function watchdogListenerSection(command: string | undefined): string {
  if (command === undefined) return '';
  if (/[\r\n%]/.test(command)) {
    throw new SupervisordError('GRID_ERR_SUPERVISORD_CONFIG_VALUE', `cannot write the watchdog command ${JSON.stringify(command)}: it contains a line break or "%"`);
  }
  return `\n[eventlistener:watchdog]\ncommand=${command}\nevents=PROCESS_STATE_EXITED, PROCESS_STATE_FATAL\n`;
}

/** The main supervisord.conf of an instance root (same sections and keys as the original). */
export function renderSupervisordConfig(options: SupervisordConfigOptions): string {
  const socket = supervisordValue('socket', options.socketPath);
  return `[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[include]
files = ${supervisordValue('include directory', options.includeDirectory)}/*.conf

[supervisorctl]
serverurl = unix://${socket}

[supervisord]
loglevel = info
logfile = ${supervisordValue('logfile', options.logFile)}
logfile_maxbytes = 50MB
nodaemon = false
pidfile = ${supervisordValue('pidfile', options.pidFile)}
logfile-backups = 10

[unix_http_server]
file=${socket}
chmod=0700
${watchdogListenerSection(options.watchdogCommand)}`;
}

/** One executable of a partition that supervisord runs. */
export interface PartitionProgram {
  /** File name in etc/run or etc/service. */
  name: string;
  /** Absolute path of the executable. */
  command: string;
  /** `service` programs are watched: their process name ends with `-on-watch`. */
  kind: 'run' | 'service';
}

/** Who a partition's programs run as (numeric ids in the file, name and home for the environment). */
export interface PartitionAccount {
  uid: number;
  gid: number;
  name: string;
  home: string;
}

export interface PartitionGroupOptions {
  partitionId: string;
  partitionPath: string;
  account: PartitionAccount;
  programs: PartitionProgram[];
}

/** `[group:<id>]` plus one `[program:<id>_<name>]` per executable (spec §5.6, HEAD keys). */
export function renderPartitionGroupConfig(options: PartitionGroupOptions): string {
  const group = supervisordName('group name', options.partitionId);
  const directory = supervisordValue('directory', options.partitionPath);
  const { account } = options;
  const user = supervisordName('user', account.name);
  const home = supervisordValue('home', account.home);
  const programIds = options.programs.map((program) => `${group}_${supervisordName('program name', program.name)}`);
  const sections = options.programs.map((program, index) => {
    const id = programIds[index]!;
    const processName = program.kind === 'service' ? `${program.name}-on-watch` : program.name;
    const logFile = `${directory}/.${id}.log`;
    return `[program:${id}]
directory=${directory}
command=${supervisordValue('command', program.command)}
process_name=${processName}
autostart=false
autorestart=false
startsecs=0
startretries=0
exitcodes=0
stopsignal=TERM
stopwaitsecs=60
stopasgroup=true
killasgroup=true
user=${account.uid}
group=${account.gid}
serverurl=AUTO
redirect_stderr=true
stdout_logfile=${logFile}
stdout_logfile_maxbytes=100KB
stdout_logfile_backups=1
stderr_logfile=${logFile}
stderr_logfile_maxbytes=100KB
stderr_logfile_backups=1
environment=USER="${user}",LOGNAME="${user}",HOME="${home}"
`;
  });
  return [`[group:${group}]\nprograms=${programIds.join(',')}\n`, ...sections].join('\n');
}
