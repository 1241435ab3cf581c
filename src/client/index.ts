/**
 * What a person uses to talk to a SlapOS master: the client configuration
 * (with aliases), request/supply, the console, and the writers of
 * configuration files (`configure local`, `configure client`, `node register`).
 * The CLI only parses options, calls these and prints.
 */
export { CLIENT_ERROR_CODES, ClientError, type ClientErrorCode } from './errors.ts';
export { parseKeyValueList } from './key-value.ts';
export {
  clientConfigPath, loadClientConfig, clientConfigFromFile, checkMasterUrl,
  type ClientConfig, type ClientConfigOverrides, type ClientEnvironment,
} from './client-config.ts';
export { resolveSoftwareRelease, resolveSoftwareProduct, isSoftwareReleaseUrl } from './software-release.ts';
export { readParametersFile, prepareParameters, SERIALISATIONS, type Serialisation, type InstanceParameters } from './parameters.ts';
export { connectToMaster, withMaster } from './master.ts';
export {
  requestInstance, checkInstanceRequest, decodeConnectionParameters, REQUESTED_STATES,
  type InstanceRequest, type RequestOutcome, type RequestedState,
} from './request.ts';
export { supplySoftwareRelease, type SupplyState } from './supply.ts';
export { consoleGlobals, runConsoleCode, runConsoleRepl, readConsoleScript, type ConsoleStreams } from './console.ts';
export {
  configureLocalNode, localNodeLayout, linkClientConfig, LOCAL_COMPUTER_ID,
  type LocalNodeOptions, type LocalNodeLayout,
} from './configure-local.ts';
export { configureClient, DEFAULT_MASTER_URL, DEFAULT_MASTER_URL_WEB, type ClientSetup, type ClientSetupOptions } from './configure-client.ts';
export { registerNode, type NodeRegistration } from './register.ts';
export { type WebCredentials, type IssuedCertificate } from './web-master.ts';
export { bashCompletionScript, shellQuote, type CompletionNode } from './completion.ts';
export { listServices, serviceInfo, computerInfo, type ServiceInfo, type ComputerInfo } from './services.ts';
export {
  binaryCacheKey, describeCacheEntries, formatCacheTable, readBinaryCacheSettings,
  type BinaryCacheSettings, type CacheEntryRow, type CachePlatform,
} from './cache-lookup.ts';
