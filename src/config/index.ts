export { ConfigFile } from './config-file.ts';
export { formatConfig } from './format.ts';
export { ConfigErrorCode } from './errors.ts';
