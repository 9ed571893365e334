export type { WorkerStatus } from './worker-state.js';
