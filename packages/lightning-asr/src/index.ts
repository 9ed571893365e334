export { loadConfig, workerVariables, type AsrConfig } from './config.js';
export type { WorkerStatus } from './worker-state.js';
