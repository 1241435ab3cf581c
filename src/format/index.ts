export { formatComputer, type FormatDependencies, type FormatResult } from './format.ts';
export { readFormatOptions, type FormatOptions, type FormatOverrides } from './options.ts';
export { LinuxSystem, type LinuxSystemOptions } from './linux-system.ts';
export { describePlan, describeStep, planChangesNothing, type Plan, type Stage, type Step } from './plan.ts';
export { FormatErrorCode, FormatError } from './errors.ts';
export type { ComputerDefinition, PartitionDefinition, AddressEntry } from './computer.ts';
export type { System, SystemState, ProbeRequest, InterfaceState, InterfaceAddress, UserState, PathState } from './system.ts';
