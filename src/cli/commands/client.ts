import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import {
  binaryCacheKey, bashCompletionScript, checkInstanceRequest, computerInfo, clientConfigPath, configureClient, configureLocalNode,
  connectToMaster, consoleGlobals, describeCacheEntries, formatCacheTable, linkClientConfig, listServices,
  loadClientConfig, parseKeyValueList, prepareParameters, readParametersFile, registerNode, requestInstance,
  readBinaryCacheSettings, readConsoleScript, resolveSoftwareRelease, runConsoleCode, runConsoleRepl, serviceInfo, supplySoftwareRelease, withMaster,
  DEFAULT_MASTER_URL, DEFAULT_MASTER_URL_WEB, LOCAL_COMPUTER_ID, REQUESTED_STATES, SERIALISATIONS,
  type ClientConfig, type ClientConfigOverrides, type ClientEnvironment, type CompletionNode, type RequestedState, type RequestOutcome,
  type Serialisation, type WebCredentials,
} from '../../client/index.ts';
import { hasCode } from '../../errors/index.ts';
import { NetworkcacheClient, currentPlatform, isTrustedEntry, loadCertificates } from '../../grid/networkcache/index.ts';
import { splitCertificateList } from '../../grid/index.ts';
import type { Slap } from '../../slap/index.ts';
import { action, CliExit, CliUsageError, DEFAULT_CONFIGURATION, loggerFrom, withLogOptions, type LogOptions } from '../context.ts';

/** The variable naming the node configuration (`cache lookup`, `node register`), as in the original. */
const NODE_CONFIG_VARIABLE = 'SLAPOS_CONFIGURATION';

interface ClientOptions extends LogOptions {
  cfg?: string;
  timeout: string;
  format?: 'text' | 'json';
}

/**
 * The commands a person uses against a master — request, supply, remove,
 * list/info (and their `service`/`computer` spellings), console — plus the
 * configuration writers (`configure local|client`, `node register`), `cache
 * lookup` and shell completion.
 */
export function registerClientCommands(program: Command, node: Command): void {
  registerRequest(program);
  registerSupply(program, 'supply', 'available', 'ask a computer to install a software release');
  registerSupply(program, 'remove', 'destroyed', 'ask a computer to remove a software release');
  registerList(program.command('list'));
  registerInfo(program.command('info'));
  const service = program.command('service').description('your instances (services): list, info');
  registerList(service.command('list'));
  registerInfo(service.command('info'));
  registerComputer(program.command('computer').description('computers: list, info'));
  registerConsole(program);
  const configure = program.command('configure').description('write configuration files: local, client');
  registerConfigureLocal(configure);
  registerConfigureClient(configure);
  registerNodeRegister(node);
  registerCacheLookup(program.command('cache').description('binary cache of software releases').command('lookup'));
  registerCacheLookup(program.command('cachelookup').description('binary cache of software releases (1.x name)').command('binary-sr'));
  registerCompletion(program);
}

// ---------------------------------------------------------------- helpers

function environment(): ClientEnvironment {
  return { env: process.env, home: homedir(), cwd: process.cwd() };
}

/** `--cfg`, `--timeout` and logging options, shared by every command talking to a master. */
function withClientOptions(command: Command): Command {
  return withLogOptions(command
    .option('--cfg <path>', 'client configuration (default: $SLAPOS_CLIENT_CONFIGURATION or ~/.slapos/slapos-client.cfg)')
    .option('--timeout <seconds>', 'give up on a master that does not answer within this time', '60'));
}

function withFormat(command: Command): Command {
  return command.addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
}

function timeoutMs(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliUsageError(`--timeout must be a positive number of seconds, not ${JSON.stringify(value)}`);
  return Math.round(seconds * 1000);
}

function readClientConfig(options: ClientOptions, overrides: ClientConfigOverrides = {}): ClientConfig {
  const where = environment();
  return loadClientConfig(clientConfigPath(options.cfg, where), overrides, where);
}

/** Opens the connection, runs `conversation`, and closes the connection whatever happens. */
async function onMaster<T>(config: ClientConfig, options: ClientOptions, conversation: (slap: Slap) => Promise<T>): Promise<T> {
  const slap = connectToMaster(config, loggerFrom(options), timeoutMs(options.timeout));
  try {
    return await withMaster(config.masterUrl, () => conversation(slap));
  } finally {
    await slap.close();
  }
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Asks on the terminal; refuses when there is none, so scripts fail instead of hanging. */
async function ask(question: string, option: string, hidden = false): Promise<string> {
  if (!process.stdin.isTTY) throw new CliUsageError(`${option} is needed (no terminal to ask on)`);
  const mute = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: hidden ? mute : process.stderr, terminal: true });
  process.stderr.write(question);
  try {
    return (await rl.question('')).trim();
  } finally {
    rl.close();
    if (hidden) process.stderr.write('\n');
  }
}

// ---------------------------------------------------------------- request, supply, remove

interface RequestOptions extends ClientOptions {
  type?: string;
  state?: RequestedState;
  slave?: boolean;
  node?: string[];
  parameters?: string[];
  parametersFile?: string;
  forceSerialisation?: Serialisation;
}

function registerRequest(program: Command): void {
  withFormat(withClientOptions(program.command('request')
    .description('request an instance and print its state and connection parameters')
    .argument('<NAME>', 'your instance reference (its title)')
    .argument('<SOFTWARE_URL>', 'software release URL, absolute path, or an alias of the client configuration')
    .option('--type <type>', 'software type to request')
    .addOption(new Option('--state <state>', 'requested state of the instance').choices([...REQUESTED_STATES]))
    .option('--slave', 'ask for a slave (shared) instance')
    .option('--node <KEY=VALUE...>', 'where to deploy, e.g. computer_guid=COMP-1234')
    .option('--parameters <KEY=VALUE...>', 'instance parameters')
    .option('--parameters-file <file>', 'instance parameters from a JSON file (or an .xml instance document)')
    .addOption(new Option('--force-serialisation <serialisation>', 'how parameters are sent (default: xml for flat strings, else json-in-xml)')
      .choices([...SERIALISATIONS]))))
    .addHelpText('after', `
Exit status: 0 when the instance is allocated, 2 when the master is still provisioning it
(run the command again later), 1 on any error.

Examples:
  $ slapos request mykvm https://lab.nexedi.com/nexedi/slapos/raw/1.0/software/kvm/software.cfg
  $ slapos request mykvm kvm --node computer_guid=COMP-1234 --parameters ram-size=2048
  $ slapos request front apache-frontend --slave --parameters-file front.json --format json`)
    .action(action(async (name: string, softwareUrl: string, options: RequestOptions) => {
      // Everything is checked before the master is asked, so nothing is half-requested.
      if (options.parameters && options.parametersFile) throw new CliUsageError('--parameters and --parameters-file cannot be used together');
      const config = readClientConfig(options);
      const request = checkInstanceRequest({
        reference: name,
        softwareRelease: resolveSoftwareRelease(softwareUrl, config.aliases),
        softwareType: options.type,
        state: options.state,
        shared: options.slave === true,
        filter: parseKeyValueList(options.node ?? [], '--node'),
        parameters: options.parametersFile
          ? readParametersFile(options.parametersFile, options.forceSerialisation)
          : prepareParameters(parseKeyValueList(options.parameters ?? [], '--parameters'), options.forceSerialisation),
      });
      progress(`Requesting ${request.reference} as an instance of ${request.softwareRelease}...`);
      const outcome = await onMaster(config, options, (slap) => requestInstance(slap, request));
      if (options.format === 'json') printJson(outcomeJson(outcome));
      if (!outcome.ready) {
        throw new CliExit(2, 'Instance requested. Master is provisioning it. Please rerun in a couple of minutes to get connection information.');
      }
      if (options.format !== 'json') {
        process.stdout.write(`Instance requested.\nState is : ${outcome.state}.\nConnection parameters of instance are:\n`
          + `${JSON.stringify(outcome.connectionParameters, null, 2)}\nYou can rerun the command to get up-to-date information.\n`);
      }
    }));
}

/** The request outcome with the key names `info` uses, as the original's JSON outputs. */
function outcomeJson(outcome: RequestOutcome): Record<string, unknown> {
  const json: Record<string, unknown> = { ready: outcome.ready, reference: outcome.reference, 'software-url': outcome.softwareRelease };
  if (outcome.ready) Object.assign(json, { state: outcome.state, 'connection-parameters': outcome.connectionParameters });
  return json;
}

function registerSupply(program: Command, name: 'supply' | 'remove', state: 'available' | 'destroyed', description: string): void {
  withClientOptions(program.command(name)
    .description(description)
    .argument('<SOFTWARE_URL>', 'software release URL, absolute path, or an alias of the client configuration')
    .argument('<COMPUTER_ID>', 'the computer (node), e.g. COMP-1234'))
    .addHelpText('after', `
Examples:
  $ slapos ${name} https://lab.nexedi.com/nexedi/slapos/raw/1.0/software/kvm/software.cfg COMP-1234
  $ slapos ${name} kvm ${LOCAL_COMPUTER_ID} --cfg ~/slapos/etc/opt/slapos/slapos.cfg`)
    .action(action(async (softwareUrl: string, computerId: string, options: ClientOptions) => {
      const config = readClientConfig(options);
      const softwareRelease = resolveSoftwareRelease(softwareUrl, config.aliases);
      progress(name === 'supply' ? `Requesting software installation of ${softwareRelease}...` : `Requesting deletion of ${softwareRelease} Software Release...`);
      await onMaster(config, options, (slap) => supplySoftwareRelease(slap, softwareRelease, computerId, state));
      process.stdout.write('Done.\n');
    }));
}

// ---------------------------------------------------------------- list, info, computer

function registerList(command: Command): void {
  withFormat(withClientOptions(command.description('list your instances: title and software release')))
    .addHelpText('after', `
Reads the instances of the computer named by [slapos] computer_id of the configuration
(the SLAP protocol has no person-side listing; a local node's slapos.cfg names its computer).

Examples:
  $ slapos list --cfg ~/slapos/etc/opt/slapos/slapos.cfg
  $ slapos service list --format json`)
    .action(action(async (options: ClientOptions) => {
      const config = readClientConfig(options);
      const services = await onMaster(config, options, (slap) => listServices(slap, config.computerId ? [config.computerId] : []));
      if (options.format === 'json') return printJson(services);
      if (Object.keys(services).length === 0) return void process.stdout.write('No instance.\n');
      for (const [title, url] of Object.entries(services)) process.stdout.write(`${title} ${url}\n`);
    }));
}

function registerInfo(command: Command): void {
  withFormat(withClientOptions(command.description('show the state, software release and parameters of an instance')
    .argument('<NAME>', 'your instance reference (its title)')))
    .addHelpText('after', `
Exit status 2 when the instance does not exist (or is not allocated yet).

Examples:
  $ slapos info mykvm
  $ slapos service info mykvm --format json`)
    .action(action(async (name: string, options: ClientOptions) => {
      const config = readClientConfig(options);
      const info = await notFoundExits2(() => onMaster(config, options, (slap) => serviceInfo(slap, config.computerId ? [config.computerId] : [], name)));
      if (options.format === 'json') return printJson(info);
      process.stdout.write([
        `Software URL      : ${info['software-url']}`,
        `Software type     : ${info['software-type']}`,
        `Requested state   : ${info['requested-state']}`,
        `Computer          : ${info.computer} (${info.partition})`,
        `Instance parameters:\n${JSON.stringify(info['instance-parameters'], null, 2)}`,
        `Connection parameters:\n${JSON.stringify(info['connection-parameters'], null, 2)}`,
      ].join('\n') + '\n');
    }));
}

/** "Does not exist" is exit status 2 in the original, so scripts can tell it from a failure. */
async function notFoundExits2<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (hasCode(error, 'CLIENT_ERR_NOT_FOUND') || hasCode(error, 'SLAP_ERR_NOT_FOUND')) throw new CliExit(2, error.message);
    throw error;
  }
}

function registerComputer(computer: Command): void {
  withFormat(withClientOptions(computer.command('list').description('list the computers this configuration knows ([slapos] computer_id)')))
    .action(action(async (options: ClientOptions) => {
      const config = readClientConfig(options);
      const computers = config.computerId ? [config.computerId] : [];
      if (options.format === 'json') return printJson(computers);
      process.stdout.write(computers.length ? `${computers.join('\n')}\n` : 'No existing computer.\n');
    }));
  withFormat(withClientOptions(computer.command('info').description('show a computer: its partitions and software releases')
    .argument('<COMPUTER_ID>', 'the computer reference, e.g. COMP-1234')))
    .addHelpText('after', `
Exit status 2 when the master does not know the computer.

Example:
  $ slapos computer info ${LOCAL_COMPUTER_ID} --cfg ~/slapos/etc/opt/slapos/slapos.cfg`)
    .action(action(async (reference: string, options: ClientOptions) => {
      const config = readClientConfig(options);
      const info = await notFoundExits2(() => onMaster(config, options, (slap) => computerInfo(slap, reference)));
      if (options.format === 'json') return printJson(info);
      const lines = [`Computer Reference: ${info.reference}`, 'Partitions:'];
      for (const p of info.partitions) lines.push(`  ${p.partition} ${p['requested-state']}${p.title ? ` ${p.title}` : ''}`);
      lines.push('Software releases:');
      for (const sr of info['software-releases']) lines.push(`  ${sr['requested-state']} ${sr.url}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }));
}

// ---------------------------------------------------------------- console

interface ConsoleOptions extends ClientOptions {
  master_url?: string;
  key_file?: string;
  cert_file?: string;
  code?: string;
}

function registerConsole(program: Command): void {
  withClientOptions(program.command('console')
    .description('a JavaScript console connected to the master (slap, request, supply, aliases)')
    .argument('[script]', 'a JavaScript file to run instead of the prompt')
    .argument('[args...]', 'arguments for the script (its `argv`)')
    .option('-u, --master_url <url>', 'master URL (instead of [slapos] master_url)')
    .option('-k, --key_file <file>', 'your TLS key for the master')
    .option('--cert_file <file>', 'your TLS certificate for the master')
    .option('-c, --code <code>', 'run this code instead of the prompt')
    .option('-i, --ipython', 'accepted for compatibility: the prompt is always node\'s')
    .option('-b, --bpython', 'accepted for compatibility: the prompt is always node\'s')
    .option('-p, --python', 'accepted for compatibility: the prompt is always node\'s')
    .passThroughOptions())
    .addHelpText('after', `
Globals: slap, request(softwareRelease, reference, parameters?, softwareType?, filter?, state?, shared?),
supply(softwareRelease, computerId, state?), software_list, aliases, and one global per alias.
They return promises: use await (top-level await works, at the prompt and in scripts).

Examples:
  $ slapos console
  slapos> await supply(kvm, "COMP-1234")
  slapos> (await request(kvm, "mykvm")).getConnectionParameterDict()
  $ slapos console -c 'console.log(software_list)'
  $ slapos console myscript.js arg1 arg2`)
    .action(action(async (script: string | undefined, args: string[], options: ConsoleOptions) => {
      const config = readClientConfig(options, { masterUrl: options.master_url, keyFile: options.key_file, certFile: options.cert_file });
      // As Python's sys.argv: the script (or `-c`) then its arguments.
      const run = options.code !== undefined ? { code: options.code, argv: ['-c', ...(script === undefined ? [] : [script]), ...args] }
        : script !== undefined ? { code: readConsoleScript(script), argv: [script, ...args] } : undefined;
      await onMaster(config, options, async (slap) => {
        const globals = consoleGlobals(slap, config);
        if (run !== undefined) return runConsoleCode(run.code, globals, run.argv);
        const home = homedir();
        return runConsoleRepl(globals, { input: process.stdin, output: process.stdout, historyPath: existsSync(home) ? join(home, '.slapconsolehistory') : undefined });
      });
    }));
}

// ---------------------------------------------------------------- configure local, configure client, node register

interface ConfigureLocalOptions {
  baseDirectory?: string;
  asRoot?: boolean;
  interfaceName: string;
  partitionNumber: string;
  ipv4LocalNetwork: string;
  daemonListenIp: string;
  daemonListenPort: string;
  slaposInstanceRoot?: string;
  slaposSoftwareRoot?: string;
  slaposBuildoutDirectory?: string;
  slaposConfigurationDirectory?: string;
  linkClientConfig: boolean;
  format?: 'text' | 'json';
}

function registerConfigureLocal(configure: Command): void {
  withFormat(configure.command('local')
    .description('write a ready slapos.cfg and directories for a one-machine node with a local proxy')
    .option('--base-directory <dir>', `put everything under this directory (default: ${join(homedir(), 'slapos')}, or / with --as-root)`)
    .option('--as-root', 'a node run by root: slapformat creates users and sets addresses, as the original')
    .option('--interface-name <name>', 'network interface the partitions\' addresses belong to', 'lo')
    .option('--partition-number <n>', 'number of partitions', '20')
    .option('--ipv4-local-network <cidr>', 'network the local IPv4 addresses of partitions come from', '10.0.0.0/16')
    .option('--daemon-listen-ip <ip>', 'address the proxy listens on', '127.0.0.1')
    .option('--daemon-listen-port <port>', 'port the proxy listens on', '8080')
    .option('--slapos-instance-root <dir>', 'instance root (default: <base>/srv/slapgrid)')
    .option('--slapos-software-root <dir>', 'software root (default: <base>/opt/slapgrid)')
    .option('--slapos-buildout-directory <dir>', 'logs, proxy database, computer description (default: <base>/opt/slapos)')
    .option('--slapos-configuration-directory <dir>', 'where slapos.cfg goes (default: <base>/etc/opt/slapos)')
    .option('--no-link-client-config', 'do not link ~/.slapos/slapos-client.cfg to the new slapos.cfg'))
    .addHelpText('after', `
By default the node is one a person without root can run: slapformat creates no users and
changes no network setting. With --as-root and no --base-directory, the paths are the
original's (/etc/opt/slapos, /opt/slapgrid, /srv/slapgrid, /opt/slapos).
Nothing is overwritten: an existing slapos.cfg stops the command.

Examples:
  $ slapos configure local --base-directory ~/slapos --daemon-listen-port 8080
  $ slapos proxy start --cfg ~/slapos/etc/opt/slapos/slapos.cfg &
  $ slapos node format --cfg ~/slapos/etc/opt/slapos/slapos.cfg --now`)
    .action(action((options: ConfigureLocalOptions) => {
      const asRoot = options.asRoot === true;
      const layout = configureLocalNode({
        baseDirectory: options.baseDirectory ?? (asRoot ? '/' : join(homedir(), 'slapos')),
        asRoot,
        interfaceName: options.interfaceName,
        partitionNumber: integer(options.partitionNumber, '--partition-number'),
        ipv4LocalNetwork: options.ipv4LocalNetwork,
        daemonListenIp: options.daemonListenIp,
        daemonListenPort: integer(options.daemonListenPort, '--daemon-listen-port'),
        instanceRoot: options.slaposInstanceRoot,
        softwareRoot: options.slaposSoftwareRoot,
        buildoutDirectory: options.slaposBuildoutDirectory,
        configurationDirectory: options.slaposConfigurationDirectory,
      });
      const link = options.linkClientConfig ? linkClientConfig(homedir(), layout.configPath) : undefined;
      if (options.format === 'json') return printJson({ ...layout, clientConfigLink: link ?? null });
      const cfg = layout.configPath;
      process.stdout.write(`SlapOS local node configured: ${cfg}
${link ? `Client configuration ${link} points to it.\n` : ''}Next steps:
  slapos proxy start --cfg ${cfg}
  slapos node format --cfg ${cfg} --now
  slapos supply SOFTWARE_URL ${LOCAL_COMPUTER_ID} --cfg ${cfg}
  slapos node software --cfg ${cfg}
  slapos request NAME SOFTWARE_URL --cfg ${cfg}
  slapos node instance --cfg ${cfg}
`);
    }));
}

function integer(value: string, option: string): number {
  if (!/^\d+$/.test(value)) throw new CliUsageError(`${option} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

interface ConfigureClientOptions extends LogOptions {
  cfg?: string;
  masterUrl: string;
  masterUrlWeb: string;
  token?: string;
  timeout: string;
}

function registerConfigureClient(configure: Command): void {
  configure.command('client')
    .description('configure the client with your account: fetch your certificate and write slapos-client.cfg')
    .option('--cfg <path>', 'client configuration to write (default: $SLAPOS_CLIENT_CONFIGURATION or ~/.slapos/slapos-client.cfg)')
    .option('--master-url <url>', 'SLAP URL of the master', DEFAULT_MASTER_URL)
    .option('--master-url-web <url>', 'web URL of the master, which issues certificates', DEFAULT_MASTER_URL_WEB)
    .option('--token <token>', 'your credential security token (asked for when missing)')
    .option('--timeout <seconds>', 'give up on a master that does not answer within this time', '60')
    .addHelpText('after', `
Writes the configuration, client.crt and client.key (mode 0600) in the same directory;
refuses if any of them exists.

Example:
  $ slapos configure client --token 20230101-ABCDEF`)
    .action(action(async (options: ConfigureClientOptions) => {
      const configPath = clientConfigPath(options.cfg, environment());
      const token = options.token || await ask('Credential security token: ', '--token');
      const setup = await configureClient({
        configPath, masterUrl: options.masterUrl, masterUrlWeb: options.masterUrlWeb, token, timeoutMs: timeoutMs(options.timeout),
      });
      process.stdout.write(`SlapOS client configuration written to ${setup.configPath}\n`);
    }));
}

interface RegisterOptions extends LogOptions {
  cfg?: string;
  interfaceName: string;
  masterUrl: string;
  masterUrlWeb: string;
  partitionNumber: string;
  ipv4LocalNetwork: string;
  softwareRoot: string;
  instanceRoot: string;
  loginAuth?: boolean;
  login?: string;
  password?: string;
  token?: string;
  createTap?: boolean;
  dryRun?: boolean;
  timeout: string;
}

function registerNodeRegister(node: Command): void {
  withLogOptions(node.command('register')
    .description('register this machine as a new computer of a master and write its slapos.cfg')
    .argument('<NODE_NAME>', 'the title of the new computer')
    .option('--cfg <path>', `node configuration to write (default: $${NODE_CONFIG_VARIABLE} or ${DEFAULT_CONFIGURATION})`)
    .option('--interface-name <name>', 'network interface the partitions\' addresses belong to', 'lo')
    .option('--master-url <url>', 'SLAP URL of the master', DEFAULT_MASTER_URL)
    .option('--master-url-web <url>', 'web URL of the master, which issues certificates', DEFAULT_MASTER_URL_WEB)
    .option('--partition-number <n>', 'number of partitions', '10')
    .option('--ipv4-local-network <cidr>', 'network the local IPv4 addresses of partitions come from', '10.0.0.0/16')
    .option('--software-root <dir>', 'software root', '/opt/slapgrid')
    .option('--instance-root <dir>', 'instance root', '/srv/slapgrid')
    .option('--login-auth', 'authenticate with login and password instead of a token')
    .option('--login <login>', 'your login on the master (implies --login-auth)')
    .option('--password <password>', 'your password (asked for when missing; avoid giving it here)')
    .option('--token <token>', 'computer security token (asked for when missing)')
    .option('-t, --create-tap', 'create one tap interface per partition (virtual machines)')
    .option('-n, --dry-run', 'ask the master, but write nothing')
    .option('--timeout <seconds>', 'give up on a master that does not answer within this time', '60'))
    .addHelpText('after', `
Any former configuration directory is kept as <dir>.old (then .old.1, .old.2...).

Examples:
  $ slapos node register mynode --token 20230101-ABCDEF
  $ slapos node register mynode --login alice --cfg /etc/opt/slapos/slapos.cfg --interface-name eth0`)
    .action(action(async (nodeName: string, options: RegisterOptions) => {
      const configPath = options.cfg || process.env[NODE_CONFIG_VARIABLE] || DEFAULT_CONFIGURATION;
      let credentials: WebCredentials;
      if (options.login || options.loginAuth) {
        const login = options.login || await ask('SlapOS Master Login: ', '--login');
        credentials = { login, password: options.password ?? await ask('Password: ', '--password', true) };
      } else {
        credentials = { token: options.token || await ask('Computer security token: ', '--token') };
      }
      const result = await registerNode({
        nodeName, configPath, interfaceName: options.interfaceName, masterUrl: options.masterUrl, masterUrlWeb: options.masterUrlWeb,
        partitionNumber: integer(options.partitionNumber, '--partition-number'), ipv4LocalNetwork: options.ipv4LocalNetwork,
        softwareRoot: options.softwareRoot, instanceRoot: options.instanceRoot, createTap: options.createTap === true,
        dryRun: options.dryRun === true, credentials, timeoutMs: timeoutMs(options.timeout),
      }, loggerFrom(options));
      process.stdout.write(`Node has successfully been configured as ${result.computerId} (${result.configPath}).\n`
        + 'Now please invoke slapos node boot on your site.\n');
    }));
}

// ---------------------------------------------------------------- cache lookup

interface CacheLookupOptions {
  cfg?: string;
  format?: 'text' | 'json';
}

function registerCacheLookup(command: Command): void {
  withFormat(command
    .description('show what the binary cache holds for a software release')
    .argument('<SOFTWARE_URL>', 'software release URL, or the MD5 of it')
    .option('--cfg <path>', `node configuration with a [networkcache] section (default: $${NODE_CONFIG_VARIABLE} or ${DEFAULT_CONFIGURATION})`))
    .addHelpText('after', `
Uses download-binary-dir-url and signature-certificate-list of [networkcache].
Exit status 1 when the cache holds nothing for it or cannot be asked.

Example:
  $ slapos cache lookup https://lab.nexedi.com/nexedi/slapos/raw/1.0/software/kvm/software.cfg`)
    .action(action(async (softwareUrl: string, options: CacheLookupOptions) => {
      const settings = readBinaryCacheSettings(options.cfg || process.env[NODE_CONFIG_VARIABLE] || DEFAULT_CONFIGURATION);
      const certificates = settings.signatureCertificates ? loadCertificates(splitCertificateList(settings.signatureCertificates), loggerFrom({})) : [];
      const key = binaryCacheKey(softwareUrl);
      // Only shadir is asked; the client wants a shacache URL too, so give it the real one when known.
      const cache = new NetworkcacheClient({ cacheUrl: settings.cacheUrl || settings.dirUrl, dirUrl: settings.dirUrl, headersTimeoutMs: 30_000 });
      let entries;
      try {
        entries = await cache.selectEntries(key);
      } finally {
        await cache.close();
      }
      const rows = describeCacheEntries(entries, currentPlatform(),
        certificates.length > 0 ? (json, signature) => isTrustedEntry(json, signature, certificates) : undefined);
      if (options.format === 'json') printJson({ software_url: softwareUrl, md5: key, shadir_url: `${settings.dirUrl.replace(/\/+$/, '')}/${key}`, entries: rows });
      if (rows.length === 0) throw new CliExit(1, `Software release not found in binary cache: ${softwareUrl}`);
      if (options.format === 'json') return;
      process.stdout.write(`Software URL: ${rows[0]!.softwareUrl || softwareUrl}\nMD5:          ${key}\n${formatCacheTable(rows)}`);
    }));
}

// ---------------------------------------------------------------- completion

function registerCompletion(program: Command): void {
  const print = (shell: string) => {
    if (shell !== 'bash') throw new CliUsageError(`only bash completion is available, not ${JSON.stringify(shell)}`);
    process.stdout.write(bashCompletionScript(completionTree(program)));
  };
  program.command('completion')
    .description('print a shell completion script')
    .argument('[shell]', 'the shell', 'bash')
    .addHelpText('after', `
Example:
  $ source <(slapos completion bash)      # or save it in /etc/bash_completion.d/slapos`)
    .action(action(print));
  program.command('complete')
    .description('print a shell completion script (1.x name)')
    .option('--shell <shell>', 'the shell', 'bash')
    .action(action((options: { shell: string }) => print(options.shell)));
}

function completionTree(command: Command): CompletionNode {
  return {
    name: command.name(),
    options: [...command.options.flatMap((o) => [o.short, o.long].filter((flag): flag is string => flag !== undefined)), '--help'],
    subcommands: command.commands.map(completionTree),
  };
}
