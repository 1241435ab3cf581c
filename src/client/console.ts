import { readFileSync } from 'node:fs';
import { start as startRepl, type REPLServer } from 'node:repl';
import type { Readable, Writable } from 'node:stream';
import type { MarshalDict, RequestedInstanceState, Slap, SupplyState } from '../slap/index.ts';
import { messageOf } from '../errors/index.ts';
import type { ClientConfig } from './client-config.ts';
import { ClientError, CLIENT_ERROR_CODES } from './errors.ts';

/** Printed when the interactive console starts: what the person can type. */
const CONSOLE_BANNER = `\
slapos console lets you talk to the SlapOS master with the SLAP library.
Globals: slap (the connection), request(), supply(), software_list, aliases,
and one global per alias of the client configuration. Calls return promises:

  // Request an instance
  > await request(kvm, "myuniquekvm")
  // Ask a computer you own to install a software release
  > await supply(kvm, "mycomputer")
  // Connection parameters of an instance already requested
  > (await request(kvm, "myuniquekvm")).getConnectionParameter("url")
`;

/**
 * The names the original console defines, for a JavaScript session:
 * `slap`, `request()` and `supply()` as shorthands of the open order and the
 * supply, `software_list` (alias names in file order), `aliases` (name → URL)
 * and every alias as a global of its own.
 */
export function consoleGlobals(slap: Slap, config: ClientConfig): Record<string, unknown> {
  const aliases = Object.fromEntries(config.aliases);
  // Same argument order as the original's shorthands, so its examples carry over.
  const request = (softwareRelease: string, partitionReference: string, partitionParameterKw?: MarshalDict,
    softwareType?: string, filterKw?: Record<string, string>, state?: RequestedInstanceState, shared = false) =>
    slap.registerOpenOrder().request({ softwareRelease, partitionReference, partitionParameterKw, softwareType, filterKw, state, shared });
  const supply = (softwareRelease: string, computerGuid: string, state: SupplyState = 'available') =>
    slap.registerSupply().supply(softwareRelease, computerGuid, state);
  return { ...aliases, slap, request, supply, software_list: [...config.aliases.keys()], aliases };
}

/**
 * Runs console code without a prompt (`-c CODE`, or a script file), with the
 * console globals in scope and `await` allowed at top level; `argv` holds the
 * script and its arguments, as `sys.argv` does in the original.
 */
export async function runConsoleCode(code: string, globals: Record<string, unknown>, argv: readonly string[]): Promise<void> {
  const scope: Record<string, unknown> = { ...globals, argv: [...argv] };
  // Names that cannot be parameters (an alias such as `apache-frontend`) stay reachable through `aliases`.
  const names = Object.keys(scope).filter(isIdentifier);
  const body = new AsyncFunction(...names, code);
  await body(...names.map((name) => scope[name]));
}

/** The text of a console script (`slapos console SCRIPT`). */
export function readConsoleScript(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ClientError(CLIENT_ERROR_CODES.CONSOLE_SCRIPT, `cannot read console script ${path}: ${messageOf(error)}`, { cause: error });
  }
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;

function isIdentifier(name: string): boolean {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return false;
  try {
    // Reserved words (`delete`, `class`…) match the pattern but cannot be parameters.
    new Function(name, '');
    return true;
  } catch {
    return false;
  }
}

/** Where an interactive console reads and writes. */
export interface ConsoleStreams {
  input: Readable;
  output: Writable;
  /** Readline history file (the original keeps `~/.slapconsolehistory`); none when undefined. */
  historyPath?: string;
}

/**
 * Starts node's REPL with the console globals; `await` works at the prompt.
 * Resolves when the person leaves it (`.exit`, Ctrl-D).
 */
export async function runConsoleRepl(globals: Record<string, unknown>, streams: ConsoleStreams): Promise<void> {
  streams.output.write(CONSOLE_BANNER);
  const server: REPLServer = startRepl({ prompt: 'slapos> ', input: streams.input, output: streams.output, useGlobal: false });
  Object.assign(server.context, globals);
  const closed = new Promise<void>((resolve) => server.on('exit', resolve));
  if (streams.historyPath) {
    const historyPath = streams.historyPath;
    await new Promise<void>((resolve) => server.setupHistory(historyPath, () => resolve()));
  }
  await closed;
}
