import { env, parseEnv, type Env } from '@stt/shared';

/** The stack launcher's own settings; everything else in the environment passes to the services. */
export function loadStackConfig(source: Env = process.env) {
  return parseEnv(
    {
      ASR_WORKERS: env.int(2, 1, 64),
      API_SERVER_PORT: env.port(7100),
      ASR_PORT: env.port(2233),
      LICENSE_PROXY_PORT: env.port(6699),
      REDIS_PORT: env.port(6379),
      REDIS_URL: env.optionalString(),
      REDIS_HOST: env.optionalString(),
      LICENSE_KEY: env.optionalString(),
      LICENSE_PUBLIC_KEYS: env.optionalString(),
      STACK_DATA_DIR: env.string('.stack'),
      STACK_STOP_TIMEOUT_S: env.int(40, 1, 3600),
      LOG_LEVEL: env.logLevel(),
    },
    source,
  );
}

export type StackConfig = ReturnType<typeof loadStackConfig>;
