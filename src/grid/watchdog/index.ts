export { runWatchdog, handleWatchdogEvent } from './watchdog.ts';
export type { ProtocolOutput, WatchdogOptions, WatchdogOutcome } from './watchdog.ts';
export { readEvents, parseTokens } from './protocol.ts';
export type { ListenerEvent } from './protocol.ts';
export { bangAlreadySent, BANG_MARKER_FILE } from './bang-marker.ts';
export { renderWatchdogCommand, watchdogCommandFor } from './command.ts';
export type { WatchdogCommandOptions } from './command.ts';
export { WatchdogError } from './errors.ts';
export type { WatchdogErrorCode } from './errors.ts';
