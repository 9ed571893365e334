export { buildApp, type AppDependencies, type RouteEntry } from './app.js';
export { Drain } from './http/drain.js';
export { HealthMonitor } from './health/health-monitor.js';
export { ApiMetrics } from './metrics.js';
