import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { generateSigningKeyPair, issueLicenseKey } from '@stt/license-proxy';
import { serviceEntry, type ServiceName } from '@stt/stack';

const pair = generateSigningKeyPair();
const key = issueLicenseKey(pair.privateKeyPem, { customer: 'config-test', validDays: 1 });
const VALID: Record<ServiceName, Record<string, string>> = {
  'api-server': { LICENSE_PUBLIC_KEYS: pair.publicKey },
  'lightning-asr': {},
  'license-proxy': { LICENSE_KEY: key, LICENSE_PUBLIC_KEYS: pair.publicKey },
  // Every case below fails before DATA_FILE is touched.
  'license-server': { LICENSE_PUBLIC_KEYS: pair.publicKey, ADMIN_TOKEN: 'a-long-enough-admin-token', DATA_FILE: '/nonexistent/license-server.json' },
  stack: {},
};

/** Runs a service with one bad variable; it must exit at once, before listening or connecting. */
function start(service: ServiceName, env: Record<string, string>) {
  const result = spawnSync(process.execPath, [serviceEntry(service)], {
    env: { PATH: process.env.PATH, ...VALID[service], ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { code: result.status, stderr: result.stderr.trim(), stdout: result.stdout.trim() };
}

const CASES: [ServiceName, Record<string, string>, string][] = [
  ['api-server', { API_SERVER_PORT: 'abc' }, 'API_SERVER_PORT'],
  ['api-server', { API_SERVER_PORT: '70000' }, 'API_SERVER_PORT'],
  ['api-server', { API_BASE_URL: 'license-proxy:6699' }, 'API_BASE_URL'],
  ['api-server', { LICENSE_PUBLIC_KEYS: 'not-a-key' }, 'LICENSE_PUBLIC_KEYS'],
  ['api-server', { LICENSE_PUBLIC_KEYS: '' }, 'LICENSE_PUBLIC_KEYS'],
  ['api-server', { REDIS_URL: 'http://redis:6379' }, 'REDIS_URL'],
  ['api-server', { REDIS_PORT: 'six' }, 'REDIS_PORT'],
  ['api-server', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ['api-server', { DRAIN_TIMEOUT_S: '-1' }, 'DRAIN_TIMEOUT_S'],
  ['api-server', { MAX_CONNECTIONS: '0' }, 'MAX_CONNECTIONS'],
  ['api-server', { BODY_RATE_WINDOW_S: '0' }, 'BODY_RATE_WINDOW_S'],
  ['api-server', { BODY_MIN_BYTES_PER_S: 'fast' }, 'BODY_MIN_BYTES_PER_S'],
  ['lightning-asr', { ASR_PORT: '0' }, 'ASR_PORT'],
  ['lightning-asr', { ASR_CAPACITY: '0' }, 'ASR_CAPACITY'],
  ['lightning-asr', { ASR_ENGINE: 'vosk' }, 'ASR_ENGINE'],
  ['lightning-asr', { ASR_ENGINE: 'whisper' }, 'MODEL_URL'],
  ['lightning-asr', { MODEL_URL: 'https://example.invalid/model.tar' }, 'MODEL_URL'],
  ['lightning-asr', { ASR_ENGINE: 'whisper', MODEL_URL: 'ftp://example.invalid/model.bin' }, 'MODEL_URL'],
  ['lightning-asr', { ASR_ENGINE: 'whisper', MODEL_URL: 'https://example.invalid/m.bin', MODEL_PATH: '/m.bin' }, 'MODEL_PATH'],
  ['lightning-asr', { ASR_ENGINE: 'sherpa-onnx', MODEL_PATH: '/m', MODEL_SHA256: 'abc' }, 'MODEL_SHA256'],
  ['lightning-asr', { ASR_HEARTBEAT_INTERVAL_MS: '5000', ASR_HEARTBEAT_TTL_MS: '1000' }, 'ASR_HEARTBEAT_TTL_MS'],
  ['lightning-asr', { ASR_SELF_TEST_AUDIO: '/nonexistent.raw' }, 'ASR_SELF_TEST_AUDIO'],
  ['license-proxy', { PORT: '1.5' }, 'PORT'],
  ['license-proxy', { LICENSE_KEY: '' }, 'LICENSE_KEY'],
  ['license-server', { PORT: 'http' }, 'PORT'],
  ['license-server', { ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
  ['license-server', { ADMIN_TOKEN: '' }, 'ADMIN_TOKEN'],
  ['license-server', { DATA_FILE: '' }, 'DATA_FILE'],
  ['license-server', { LICENSE_PUBLIC_KEYS: 'not-a-key' }, 'LICENSE_PUBLIC_KEYS'],
  ["stack", { ASR_WORKERS: "many" }, "ASR_WORKERS"],
  ["stack", { LICENSE_KEY: "stl1.x.y" }, "LICENSE_PUBLIC_KEYS"],
];

describe('bad configuration fails at start-up with one clear line', () => {
  for (const [service, env, variable] of CASES) {
    test(`${service} with ${JSON.stringify(env)}`, () => {
      const { code, stderr } = start(service, env);
      assert.equal(code, 78, stderr);
      const lines = stderr.split('\n');
      assert.equal(lines.length, 1, `exactly one line, got: ${stderr}`);
      assert.match(lines[0]!, new RegExp(`^${service}: invalid configuration: ${variable}: `));
      assert.doesNotMatch(stderr, /\n\s+at |Error:/, 'no stack trace');
    });
  }
});

test('a rejected secret is named, never echoed', () => {
  const { code, stderr } = start('license-server', { ADMIN_TOKEN: 'short-secret' });
  assert.equal(code, 78);
  assert.match(stderr, /ADMIN_TOKEN: expected at least 16 characters/);
  assert.doesNotMatch(stderr, /short-secret/);
});
