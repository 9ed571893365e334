/**
 * The seed page's Troubleshooting ("verify all components running, check service connectivity,
 * review component logs"; false positives; timeouts), made concrete per failure the API names.
 */
export const REASON_FIXES: Readonly<Record<string, string>> = {
  'No ASR workers available':
    'Start a lightning-asr worker (Kubernetes: kubectl scale deploy/lightning-asr --replicas=2) and read its logs (kubectl logs -l app=lightning-asr). A worker registers only after its model loaded and its self-test passed, and must use the same Redis (REDIS_URL) as the API server.',
  'License proxy unavailable':
    'Start the license proxy and check that API_BASE_URL on the API server points at it (e.g. http://license-proxy:6699); read its logs (kubectl logs -l app=license-proxy).',
  'License invalid or expired':
    'Check LICENSE_KEY on the license proxy (stt license status --license-url …); issue a new key with stt license issue if it expired.',
  'Redis connection failed':
    'Start Redis and check REDIS_URL (or REDIS_HOST and REDIS_PORT) on the API server and on the workers: redis-cli -u "$REDIS_URL" ping should answer PONG.',
  'Server is shutting down': 'The API server is draining after SIGTERM: wait for its replacement, or start it again.',
};

export const DEGRADED_FIXES: Readonly<Record<string, string>> = {
  lightning_asr: "Some workers fail their self-test: read their GET /health reason and logs; check the model files (MODEL_URL, the model directory).",
  license_proxy: 'The license server is unreachable: the proxy serves on its cached validation until the grace period ends. Restore its connectivity.',
  api_server:
    "Requests fail although the components say healthy (the seed's false positives): read the API server's and the workers' error logs, and the 5xx counts in /metrics.",
};

export const UNREACHABLE_FIX =
  'Start the API server, check --url (STT_URL) and the connectivity from here: kubectl get svc,endpoints api-server; no network policy in the way.';

export const SLOW_HEALTH_FIX =
  'Health answers slowly: check the network latency from here and that no network policy or proxy is in the way; keep probe timeouts at 5 s or more.';

/** What to do when the test transcription is refused with `code`. */
export function transcriptionFix(code: string): string {
  switch (code) {
    case 'INVALID_LICENSE':
    case 'LICENSE_EXPIRED':
      return 'Set STT_API_KEY (or --api-key) to a key this stack accepts: signed by one of its LICENSE_PUBLIC_KEYS and not expired.';
    case 'SERVICE_UNAVAILABLE':
      return REASON_FIXES['No ASR workers available']!;
    case 'LICENSE_UNAVAILABLE':
      return REASON_FIXES['License invalid or expired']!;
    case 'REQUEST_TIMEOUT':
      return 'The workers are too slow or too few for the load: scale lightning-asr, or look at their CPU.';
    default:
      return "Look the request id up in the API server's logs.";
  }
}
