// How slapgrid runs a buildout: the runner interface and the two runners
// (a configured zc.buildout, or the built-in engine as a child process).
// An entry of its own so that the node agent does not load the engine itself.
export type { BuildoutResult, BuildoutRunner, BuildoutRunOptions } from './types.ts';
export { createBuildoutRunner, BuiltinBuildoutRunner, slaposCliArgv, type BuildoutRunnerConfig, type ChildLaunch, type LaunchChild } from './select.ts';
export { ExternalBuildoutRunner, runThroughInterpreter, childLaunchOf } from './external.ts';
