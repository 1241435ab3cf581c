import { BuildoutError, BuildoutErrorCode } from './errors.ts';
import type { Assignment } from './config/load.ts';

/** The command line of `slapos buildout`, parsed like zc.buildout's `main()` (§5.3). */
export interface BuildoutArguments {
  configFile: string;
  assignments: Assignment[];
  /** -U: do not read ~/.buildout/default.cfg (this engine never reads it). */
  noUserDefaults: boolean;
  /** -D: print the stack of internal errors. */
  debug: boolean;
  /** -v / -q, ±10 each (zc.buildout's scale). */
  verbosity: number;
  command: 'install' | 'query' | 'annotate';
  /** Explicit parts given after `install`, the `section:option` of `query`, the sections to annotate. */
  parts: string[];
  help: boolean;
  /** annotate: `text` (zc.buildout's listing with the files that set each option) or `json`. */
  format: 'text' | 'json';
  /** annotate: substitute the values (as far as no recipe has to run). */
  resolve: boolean;
}

export const BUILDOUT_USAGE = `Usage: slapos buildout [options] [assignments] [command [command arguments]]

Options:
  -c FILE   configuration file (default: buildout.cfg)
  -U        do not read user defaults (accepted; never read)
  -o / -O   offline mode on / off (buildout:offline=true/false)
  -n / -N   newest mode on / off (buildout:newest=true/false)
  -v / -q   more / less verbose
  -D        debug: print the stack of internal errors
  -t N      socket timeout in seconds
  -h        this help

Assignments: section:option=value (section defaults to buildout; option+=, option-= work).
Commands: install [part...] (default), query section:option (prints the raw merged value),
  annotate [section...] [--format text|json] [--resolve] (every option and where it was set;
  json: {section: {option: value}} after extends and macros; --resolve: values substituted,
  an option that cannot be is {"__error__": message}).`;

const PYTHON_ONLY = new Set(['bootstrap', 'init', 'setup', 'runsetup', 'upgrade']);

function usage(message: string): BuildoutError {
  return new BuildoutError(BuildoutErrorCode.USAGE, message);
}

/**
 * Reads annotate's `--resolve` / `--format json|text` at `argv[at]`, if it is
 * one; returns the index of the last argument consumed (`at` - 1 if none).
 */
function annotateOption(argv: readonly string[], at: number, result: BuildoutArguments): number {
  let index = at;
  while (index < argv.length) {
    const arg = argv[index]!;
    if (arg === '--resolve') { result.resolve = true; index++; continue; }
    if (arg !== '--format' && !arg.startsWith('--format=')) break;
    const value = arg === '--format' ? argv[++index] : arg.slice('--format='.length);
    if (value !== 'text' && value !== 'json') throw usage(`Error: --format must be text or json, not ${JSON.stringify(value ?? '')}`);
    result.format = value;
    index++;
  }
  return index === at ? at - 1 : index - 1;
}

export function parseBuildoutArguments(argv: readonly string[]): BuildoutArguments {
  const result: BuildoutArguments = {
    configFile: 'buildout.cfg', assignments: [], noUserDefaults: false, debug: false, verbosity: 0, command: 'install', parts: [], help: false,
    format: 'text', resolve: false,
  };
  let index = 0;
  const set = (option: string, value: string): void => { result.assignments.push({ section: 'buildout', option, value }); };
  for (; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--help') { result.help = true; continue; }
    if (arg === '--resolve' || arg === '--format' || arg.startsWith('--format=')) { index = annotateOption(argv, index, result); continue; }
    if (arg.startsWith('-') && arg.length > 1 && !arg.startsWith('--')) {
      for (let i = 1; i < arg.length; i++) {
        const flag = arg[i]!;
        if (flag === 'c' || flag === 't') {
          const value = arg.slice(i + 1) || argv[++index];
          if (value === undefined) throw usage(`Error: option -${flag} requires an argument`);
          if (flag === 'c') result.configFile = value;
          else if (!/^\d+$/.test(value)) throw usage(`Error: Timeout value must be numeric [${value}]`);
          else set('socket-timeout', value);
          break;
        }
        switch (flag) {
          case 'U': result.noUserDefaults = true; break;
          case 'o': set('offline', 'true'); break;
          case 'O': set('offline', 'false'); break;
          case 'n': set('newest', 'true'); break;
          case 'N': set('newest', 'false'); break;
          case 'v': result.verbosity += 10; break;
          case 'q': result.verbosity -= 10; break;
          case 'D': result.debug = true; break;
          case 'h': result.help = true; break;
          default: throw usage(`Error: Invalid option -${flag}`);
        }
      }
      continue;
    }
    if (arg.startsWith('--')) throw usage(`Error: Invalid option ${arg}`);
    const equal = arg.indexOf('=');
    if (equal < 0) break;
    const target = arg.slice(0, equal).trim();
    const value = arg.slice(equal + 1).trim();
    const names = target.split(':');
    if (names.length > 2) throw usage(`Error: Invalid option ${arg}`);
    const [section, option] = names.length === 2 ? [names[0]!.trim(), names[1]!.trim()] : ['buildout', names[0]!];
    result.assignments.push({ section, option, value });
  }
  if (result.verbosity !== 0) set('verbosity', String(result.verbosity));
  const command = argv[index];
  if (command !== undefined) {
    if (PYTHON_ONLY.has(command)) {
      throw new BuildoutError(BuildoutErrorCode.UNSUPPORTED, `The '${command}' command is specific to Python zc.buildout; this engine runs profiles without bootstrapping.`);
    }
    if (command !== 'install' && command !== 'query' && command !== 'annotate') throw usage(`Error: invalid command: ${command}`);
    result.command = command;
    const rest = argv.slice(index + 1);
    for (let at = 0; at < rest.length; at++) {
      // annotate's own options may also follow the command.
      const last = command === 'annotate' ? annotateOption(rest, at, result) : at - 1;
      if (last >= at) { at = last; continue; }
      result.parts.push(rest[at]!);
    }
    if (command === 'query' && (result.parts.length !== 1 || !result.parts[0]!.includes(':'))) {
      throw usage('Error: The query command requires a single argument: section:option');
    }
  }
  return result;
}
