export { runPromises, checkPromises } from './run.ts';
export { writePromiseStatuses } from './status.ts';
export type { PromiseStatus, ResultOwner } from './status.ts';
export type { PromiseResult, PromiseRunOptions } from './run.ts';
export { PromiseError } from './errors.ts';
