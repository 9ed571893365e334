export type ComponentStatus = 'healthy' | 'degraded' | 'unhealthy';
export type ComponentName = 'api_server' | 'lightning_asr' | 'license_proxy' | 'redis';

/** `GET /health`: healthy (200) or unhealthy with the reasons (503). */
export interface HealthReport {
  readonly status: 'healthy' | 'unhealthy';
  readonly reason?: string;
}

/** One model the workers serve, with how many of its workers are live and ready. */
export interface ServedModel {
  readonly model: string;
  readonly engine: string;
  readonly languages: readonly string[];
  readonly streaming: unknown;
  readonly word_timestamps: boolean;
  readonly workers_live: number;
  readonly workers_ready: number;
}

/** `details` of `/health?detailed=true`: numbers per component (null where a component could not be read). */
export interface HealthDetails {
  readonly api_server: { readonly window_s: number; readonly requests: number; readonly server_errors: number; readonly server_error_rate: number; readonly draining?: boolean };
  readonly lightning_asr: {
    readonly workers_live: number | null;
    readonly workers_ready: number | null;
    readonly workers_failing_self_test: number | null;
    readonly capacity: number | null;
    readonly active_requests: number | null;
    readonly active_streams: number | null;
    readonly queue_depth: number | null;
    readonly models: readonly ServedModel[] | null;
  };
  readonly license_proxy: {
    readonly license_valid: boolean | null;
    readonly valid_until: string | null;
    readonly grace_period_active: boolean | null;
    readonly grace_period_ends_at?: string | null;
    readonly license_server?: string | null;
    readonly license_reason?: string;
  };
  readonly redis: { readonly latency_ms: number | null };
}

/** `GET /health?detailed=true`. */
export interface DetailedHealth extends HealthReport {
  readonly components: Readonly<Record<ComponentName, ComponentStatus>>;
  readonly uptime_seconds: number;
  readonly version: string;
  readonly details: HealthDetails;
}

/** `GET /health/asr`, `/health/license`, `/health/redis`: the component's status and its details. */
export interface ComponentHealth {
  readonly status: ComponentStatus;
  readonly reason?: string;
  readonly [detail: string]: unknown;
}

/** The component routes by the short names the CLI and docs use. */
export const COMPONENT_ROUTES = { asr: '/health/asr', license: '/health/license', redis: '/health/redis' } as const;
export type ComponentRoute = keyof typeof COMPONENT_ROUTES;
