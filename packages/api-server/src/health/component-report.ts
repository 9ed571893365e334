export type ComponentStatus = 'healthy' | 'degraded' | 'unhealthy';

/** A detail is a figure, or a list of records (the ASR component's models). */
export type ComponentDetails = Readonly<Record<string, string | number | boolean | null | readonly object[]>>;

/** One component's health as the last probe saw it. Only `unhealthy` carries a reason. */
export interface ComponentReport {
  readonly status: ComponentStatus;
  readonly reason?: string;
  readonly details: ComponentDetails;
}

/** The contract's reason strings, exact text. */
export const REASONS = {
  noWorkers: 'No ASR workers available',
  proxyUnavailable: 'License proxy unavailable',
  licenseInvalid: 'License invalid or expired',
  redisFailed: 'Redis connection failed',
  shuttingDown: 'Server is shutting down',
} as const;

export const COMPONENTS = ['api_server', 'lightning_asr', 'license_proxy', 'redis'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** A probe learns one component's health; it may be slow or hang, the monitor bounds it. */
export interface Probe {
  readonly component: ComponentName;
  run(signal: AbortSignal): Promise<ComponentReport>;
  /** What to report when the probe did not answer within its timeout. */
  timedOut(): ComponentReport;
}
