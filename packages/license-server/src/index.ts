export type { Faults } from './faults.js';
export type { LicenseUsageReport } from './store/license-ledger.js';
export type { LicenseServerState } from './store/license-server-state.js';
