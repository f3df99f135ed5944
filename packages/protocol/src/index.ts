export * from './states.js';
export * from './faults.js';
export * from './types.js';
export * from './methods.js';
export * from './notifications.js';
export * from './framing.js';
export * from './version.js';
export { ControlClient, NoAnswer, SpeaksHttp, type ConnectTarget, type Credentials, type RpcClient } from './client.js';
