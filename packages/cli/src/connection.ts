import { SttClient, type SttClientOptions } from '@stt/client';

export const DEFAULT_URL = 'http://localhost:7100';
export const DEFAULT_LICENSE_URL = 'http://localhost:6699';

/** The global flags every command that talks to the API server reads. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly apiKey?: string;
}

/** Where the API server is and the key to use: flags first, then `STT_URL`, `STT_API_KEY` or `LICENSE_KEY`. */
export interface Connection {
  readonly url: string;
  readonly apiKey: string | undefined;
}

export function connectionFrom(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  return {
    url: flags.url ?? env.STT_URL ?? DEFAULT_URL,
    apiKey: flags.apiKey ?? env.STT_API_KEY ?? env.LICENSE_KEY,
  };
}

export function clientFor(connection: Connection, options: Omit<SttClientOptions, 'baseUrl' | 'apiKey'> = {}): SttClient {
  return new SttClient({ baseUrl: connection.url, ...(connection.apiKey !== undefined ? { apiKey: connection.apiKey } : {}), ...options });
}
