import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { md5Hex } from '../download.ts';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import type { RecipeContext, RecipeEntry } from '../recipe.ts';
import { createFile, isTrue } from './generic.ts';
import { shellQuote, shellSplit } from './shell.ts';

/** Options of the original's Python helper that this engine cannot reproduce in a shell script. */
const UNSUPPORTED = ['private-tmpfs', 'redirect-stdout', 'redirect-stderr', 'redirect-signal'];

/** What the original does in its Python helper before exec'ing, done here in /bin/sh. */
export interface WrapperGuards {
  /** Files to wait for (polled every 0.1 s; the original uses inotify). */
  waitForFiles: string[];
  /** Single-instance guard: refuse to start while the recorded pid runs the same program. */
  pidfile?: string | undefined;
  /** Append the pid to ~/.slapos-cpu-exclusive (slapos node reserves a CPU for it). */
  reserveCpu: boolean;
}

/** `KEY=VALUE` lines; a line without `=` is an error. */
export function parseEnvironment(text: string): Map<string, string> {
  const environment = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const equal = line.indexOf('=');
    if (equal < 0) throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `environment line without '=': ${JSON.stringify(line)}`);
    environment.set(line.slice(0, equal).trim(), line.slice(equal + 1).trimStart());
  }
  return environment;
}

/** The content hash appended to a wrapper's name: MD5 over `<length>\n<content>` of each file. */
function filesHash(paths: readonly string[]): string {
  const parts = paths.map((path) => {
    const content = readFileSync(path);
    return Buffer.concat([Buffer.from(`${content.length}\n`), content]);
  });
  return md5Hex(Buffer.concat(parts));
}

/**
 * The /bin/sh wrapper: env exports sorted by name, then `exec` with lines
 * wrapped after 40 characters — byte-identical to the cookbook's simple
 * wrapper when no guard is asked for.
 */
export function shellWrapper(argv: readonly string[], environment: ReadonlyMap<string, string>, sigIgn?: string,
  guards: WrapperGuards = { waitForFiles: [], reserveCpu: false }): string {
  const lines = ['#!/bin/sh -e'];
  if (sigIgn) lines.push(`trap '' ${sigIgn}`);
  for (const key of [...environment.keys()].sort()) lines.push(`export ${key}=${shellQuote(environment.get(key)!)}`);
  if (guards.reserveCpu) lines.push('echo $$ >> "$HOME/.slapos-cpu-exclusive"');
  if (guards.waitForFiles.length > 0) {
    lines.push(`while ${guards.waitForFiles.map((path) => `[ ! -e ${shellQuote(path)} ]`).join(' || ')}; do sleep 0.1; done`);
  }
  if (guards.pidfile !== undefined) {
    // exec keeps the pid: the recorded pid is the program's. A live process
    // whose command line holds the program path means it already runs.
    const pidfile = shellQuote(guards.pidfile);
    lines.push(
      `if [ -s ${pidfile} ]; then`,
      `  pid=$(cat ${pidfile})`,
      `  if [ -r "/proc/$pid/cmdline" ] && tr '\\000' '\\n' < "/proc/$pid/cmdline" | grep -qxF -e ${shellQuote(argv[0] ?? '')}; then`,
      '    echo "Already running with pid $pid."',
      '    exit 1',
      '  fi',
      'fi',
      `echo $$ > ${pidfile}`,
    );
  }
  lines.push('exec');
  for (const word of [...argv.map(shellQuote), '"$@"']) {
    const last = lines.length - 1;
    if (lines[last]!.length < 40) lines[last] += ` ${word}`;
    else { lines[last] += ' \\'; lines.push(`\t${word}`); }
  }
  return `${lines.join('\n')}\n`;
}

const SIGNAL = /^(?:(?:SIG)?[A-Z]+[0-9]*|RTMIN(?:\+\d+)?|RTMAX(?:-\d+)?)$/;

/**
 * `slapos.cookbook:wrapper`: a shell script that sets the environment and
 * execs the command; `wait-for-files`, `pidfile` and `reserve-cpu` are done
 * by the script too. `private-tmpfs` and the redirections need the
 * original's Python helper and are refused with a clear error.
 */
export const wrapperRecipe: RecipeEntry = {
  signature: 'slapos.cookbook-ts1',
  async create({ host, name, options }: RecipeContext) {
    options.set('_d', await host.option('buildout', 'develop-eggs-directory'));
    options.set('_e', await host.option('buildout', 'eggs-directory'));
    const argv = shellSplit(options.getString('command-line'));
    const wrapperPath = resolve(host.directory, options.getString('wrapper-path'));
    const environment = parseEnvironment(options.getString('environment', ''));
    const sigIgn = options.getString('sig-ign', '').trim() || undefined;
    if (sigIgn !== undefined && !SIGNAL.test(sigIgn)) throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `invalid signal value: ${sigIgn}`);
    const unsupported = UNSUPPORTED.filter((key) => options.getString(key, '').trim() !== '');
    if (unsupported.length > 0) {
      if (unsupported.length === 1 && unsupported[0] === 'redirect-signal') {
        throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, 'redirect-signal without redirecting any output makes no sense');
      }
      throw new BuildoutError(BuildoutErrorCode.UNSUPPORTED,
        `${name}: wrapper options ${unsupported.join(', ')} need the Python helper of slapos.cookbook; configure a Python zc.buildout for this profile.`);
    }
    const guards: WrapperGuards = {
      waitForFiles: options.getString('wait-for-files', '').split(/\s+/).filter(Boolean).map((p) => resolve(host.directory, p)),
      pidfile: options.getString('pidfile', '').trim() ? resolve(host.directory, options.getString('pidfile').trim()) : undefined,
      reserveCpu: isTrue(options.getString('reserve-cpu', '')),
    };
    const hashFiles = options.getString('hash-files', '').split(/\s+/).filter(Boolean).map((p) => resolve(host.directory, p));
    const hashExisting = options.getString('hash-existing-files', '').split(/\s+/).filter(Boolean).map((p) => resolve(host.directory, p));
    if (hashExisting.length > 0) options.set('__hash_files__', filesHash(hashExisting));
    const inside = `${realpathOrSelf(host.directory)}${sep}`;
    const outsiders = hashFiles.filter((path) => existsSync(path) && !realpathOrSelf(path).startsWith(inside));
    const pathOf = (): string => (hashFiles.length + hashExisting.length > 0 ? `${wrapperPath}-${filesHash([...hashFiles, ...hashExisting])}` : wrapperPath);
    return {
      async install() {
        if (outsiders.length > 0) {
          throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `hash-files must only list files that are generated by buildout:\n  ${outsiders.join('\n  ')}`);
        }
        return [createFile(pathOf(), shellWrapper(argv, environment, sigIgn, guards), 0o700)];
      },
      async update() {
        const path = pathOf();
        if (existsSync(path)) return undefined;
        // A hashed file changed while the options did not: replace the wrapper
        // in this run (the original fails with "unstable wrapper path" and
        // fixes it on the next run), removing the stale hashed copies.
        const stale = new RegExp(`^${escapeRegExp(basename(wrapperPath))}-[0-9a-f]{32}$`);
        for (const entry of readdirSync(dirname(wrapperPath))) {
          if (stale.test(entry)) rmSync(join(dirname(wrapperPath), entry), { force: true });
        }
        return [createFile(path, shellWrapper(argv, environment, sigIgn, guards), 0o700)];
      },
    };
  },
};

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
