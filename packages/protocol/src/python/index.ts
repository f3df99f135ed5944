/**
 * What the daemon and the ctl share with supervisor's Python: str repr and ordering, signal
 * names, namespecs, process descriptions, Python exceptions. Dependency-free, no I/O.
 */
export * from './repr.js';
export * from './namespec.js';
export * from './signals.js';
export * from './describe.js';
export * from './errors.js';
