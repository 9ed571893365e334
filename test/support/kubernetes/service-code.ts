import { readFileSync } from 'node:fs';
import { apiServerVariables, loadConfig as loadApiServerConfig } from '@stt/api-server';
import { licenseProxyVariables, loadConfig as loadLicenseProxyConfig } from '@stt/license-proxy';
import { loadConfig as loadWorkerConfig, workerVariables } from '@stt/lightning-asr';
import { REDIS_VARIABLES, type Env } from '@stt/shared';

export const SERVICE_NAMES = ['api-server', 'lightning-asr', 'license-proxy'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What a service's own configuration makes of a container's environment. */
export interface StartedConfig {
  readonly port: number;
  /** The longest the process may take to stop once SIGTERM arrives, by its own settings. */
  readonly stopWithinS: number;
  /** The address the worker publishes in the registry. */
  readonly advertisedUrl?: string;
}

interface ServiceCode {
  /** Every environment variable the service reads. */
  readonly variables: ReadonlySet<string>;
  /** The service's loadConfig on `env`: throws its ConfigError as the service would at start-up. */
  readonly start: (env: Env) => StartedConfig;
}

const withRedis = (names: object): ReadonlySet<string> => new Set([...Object.keys(names), ...Object.values(REDIS_VARIABLES)]);

export const SERVICE_CODE: Readonly<Record<ServiceName, ServiceCode>> = {
  'api-server': {
    variables: withRedis(apiServerVariables),
    start(env) {
      const config = loadApiServerConfig(env);
      return { port: config.API_SERVER_PORT, stopWithinS: config.DRAIN_DELAY_S + config.DRAIN_TIMEOUT_S };
    },
  },
  'lightning-asr': {
    variables: withRedis(workerVariables),
    start(env) {
      const config = loadWorkerConfig(env);
      return { port: config.ASR_PORT, stopWithinS: config.DRAIN_TIMEOUT_S, advertisedUrl: config.advertiseUrl };
    },
  },
  'license-proxy': {
    variables: withRedis(licenseProxyVariables),
    start(env) {
      const config = loadLicenseProxyConfig(env);
      // Stopping waits for a license server call in flight.
      return { port: config.PORT, stopWithinS: config.LICENSE_SERVER_TIMEOUT_S };
    },
  },
};

const IMAGE = /^selfhost-stt\/([a-z-]+):(.+)$/;

/** Which of our services an image runs, or undefined for someone else's (Redis). */
export function serviceOfImage(image: string | undefined): ServiceName | undefined {
  const name = IMAGE.exec(image ?? '')?.[1];
  return SERVICE_NAMES.find((service) => service === name);
}

/** The image a service's manifests should name: its package's version as the tag. */
export function expectedImage(service: ServiceName): string {
  const { version } = JSON.parse(readFileSync(new URL(`../../../packages/${service}/package.json`, import.meta.url), 'utf8')) as { version: string };
  return `selfhost-stt/${service}:${version}`;
}
