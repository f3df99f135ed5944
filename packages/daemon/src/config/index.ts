/** The config reader's public API: what the rest of the daemon imports. */
export { loadConfig, type LoadOptions } from './load.js';
export { findConfigFile, configSearchPaths, noConfigFileMessage, type DiscoverOptions } from './discover.js';
export { ConfigError, BadValue, type ConfigErrorInfo } from './errors.js';
export { toSignalName } from './values.js';
export { splitCommand } from './shlex.js';
export { parseIni, type IniDocument, type IniSection, type IniValue } from './ini.js';
export { readUserDb, type UserDb } from './users.js';
export type * from './types.js';
