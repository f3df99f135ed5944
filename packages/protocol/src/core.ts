/**
 * Everything of the protocol except the client, for importers that must start fast (the ctl):
 * importing the package root also loads the client and its json-rpc-2.0 dependency.
 */
export * from './states.js';
export * from './faults.js';
export * from './types.js';
export * from './methods.js';
export * from './notifications.js';
export * from './framing.js';
export * from './version.js';
