export { buildApp, type AppDependencies, type RouteEntry } from './app.js';
export { loadConfig } from './config.js';
export { Drain } from './http/drain.js';
export { HealthMonitor } from './health/health-monitor.js';
export { RequestOutcomes } from './health/request-outcomes.js';
export { routeOptions } from './route-wiring.js';
export { ApiMetrics } from './metrics.js';
export { signBody } from './transcription/callback-delivery.js';
export { TranscriptionQueue } from './transcription/transcription-queue.js';
