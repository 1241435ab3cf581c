// slapgrid: shared node machinery (configuration, lock, child processes)
export { readNodeConfig, splitCertificateList, GRID_ERR_CONFIG } from './node-config.ts';
export type { NodeConfig, NodeConfigOverrides, NetworkcacheConfig } from './node-config.ts';
export { acquirePidLock, isAlive, GRID_ERR_LOCKED, GRID_ERR_LOCK_IO } from './lock.ts';
export type { PidLock, PidLockOptions } from './lock.ts';
export { sleepMaximalDelay } from './maximal-delay.ts';
export type { MaximalDelayOptions } from './maximal-delay.ts';
export { runChild, childArgv, cleanEnvironment, lookupUser, GRID_ERR_SPAWN, GRID_ERR_UNSAFE_USER, GRID_ERR_UNKNOWN_USER } from './spawn.ts';
export type { ChildOptions, ChildResult, ChildUser, UserEntry } from './spawn.ts';
// slapgrid instance (`slapos node instance`), supervisord control, promises
export * from './instance/index.ts';
export * from './supervisord/index.ts';
export * from './promise/index.ts';
// slapgrid software (slapos node software)
export { runNodeSoftware } from './software/node-software.ts';
export type { NodeSoftwareOptions } from './software/node-software.ts';
export { processSoftwareReleaseList } from './software/run.ts';
export type { SoftwareReleaseOrder, SoftwareOutcome, SoftwareProgressEvent, SoftwareRunOptions, SoftwareReleaseResult, SoftwareRunSummary } from './software/run.ts';
export { installSoftwareRelease, buildoutParameters, asctime, BUILDOUT_UMASK, COMPLETED_FILE } from './software/install.ts';
export type { SoftwareInstallContext, SoftwarePhase, InstallOutcome } from './software/install.ts';
export { decideSoftwareAction } from './software/decide.ts';
export type { SoftwareAction, SoftwareDecisionInput } from './software/decide.ts';
export { softwareUrlHash } from './software/hash.ts';
export { renderSoftwareBuildoutCfg, buildoutValue } from './software/buildout-cfg.ts';
export { removeSoftwareDirectory } from './software/destroy.ts';
export { createSoftwareArchive, extractSoftwareArchive } from './software/archive.ts';
export { SoftwareErrorCode } from './software/errors.ts';
export { NetworkcacheErrorCode, NetworkcacheClient, downloadSoftwareArchive, uploadSoftwareArchive } from './networkcache/index.ts';
export type { BuildPlatform, SignedEntry } from './networkcache/index.ts';
export { LineSplitter } from './spawn.ts';
export { NodeErrorCode } from './errors.ts';
// slapgrid report (`slapos node report`): usage, destruction; the watchdog and computer bang
export * from './report/index.ts';
export * from './watchdog/index.ts';
export { bangComputer } from './bang.ts';
export { bootNode } from './boot.ts';
export type { BootOptions, BootPauses } from './boot.ts';
export type { ComputerBangOptions } from './bang.ts';
