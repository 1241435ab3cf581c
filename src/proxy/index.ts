export { createProxy, type ProxyOptions, type ProxyServer } from './server.ts';
export { PROXY_ERRORS, ProxyError, type ProxyErrorCode } from './errors.ts';
export { proxySettings, type ProxySettings, type ProxyCliOverrides } from './config.ts';
export { proxySnapshot, renderSnapshot, SHOW_SECTIONS, type ProxySnapshot, type ShowSection } from './show.ts';
export { SqliteStore } from './store/sqlite.ts';
export { MIGRATIONS, SCHEMA_VERSION } from './store/migrations.ts';
export type * from './store/types.ts';
