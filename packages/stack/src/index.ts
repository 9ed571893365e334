export { RedisServerProcess, type RedisServerOptions } from './redis-server-process.js';
export { ensureLocalLicense, type LocalLicense } from './local-license.js';
export { REPO_ROOT, serviceEntry, type ServiceName } from './paths.js';
