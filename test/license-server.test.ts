import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSigningKeyPair, issueLicenseKey, type SigningKeyPair } from '@stt/license-proxy';
import {
  checkLicenseKey,
  parsePublicKeys,
  usageBatchAckSchema,
  validationAcceptedSchema,
  validationRefusedSchema,
  type UsageBatch,
  type UsageEvent,
} from '@stt/shared';
import { serviceEntry } from '@stt/stack';
import { freePort } from './support/free-port.js';
import { request, type HttpResult } from './support/http.js';
import { ServiceProcess } from './support/service-process.js';

const vendor = generateSigningKeyPair();
const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const DAY_MS = 86_400_000;

interface License {
  readonly key: string;
  readonly licenseId: string;
  readonly expiresAt: string;
}

/** A new license signed by `signer` (the vendor unless told otherwise), valid 30 days unless told otherwise. */
function newLicense(options: { signer?: SigningKeyPair; validDays?: number; now?: Date } = {}): License {
  const signer = options.signer ?? vendor;
  const key = issueLicenseKey(signer.privateKeyPem, {
    customer: 'acme',
    validDays: options.validDays ?? 30,
    ...(options.now ? { now: options.now } : {}),
  });
  // An expired key still carries its claims.
  const claims = checkLicenseKey(key, parsePublicKeys([signer.publicKey])).claims;
  assert.ok(claims);
  return { key, licenseId: claims.license_id, expiresAt: claims.expires_at };
}

/** One billed request of `license`. */
function usageEvent(license: License, requestId: string, overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    request_id: requestId,
    license_id: license.licenseId,
    kind: 'batch',
    audio_seconds: 2.5,
    features: ['punctuation'],
    status: 200,
    at: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A license server process on a free port, with its state in `dataFile`. */
async function startServer(dataFile: string): Promise<{ server: ServiceProcess; url: string }> {
  const port = await freePort();
  const server = new ServiceProcess('license-server', {
    PORT: String(port),
    HOST: '127.0.0.1',
    LICENSE_PUBLIC_KEYS: vendor.publicKey,
    ADMIN_TOKEN,
    DATA_FILE: dataFile,
  });
  await server.waitForLog(/^License server listening on port/);
  return { server, url: `http://127.0.0.1:${port}` };
}

describe('license server', () => {
  let dir: string;
  let dataFile: string;
  let server: ServiceProcess;
  let url: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stt-license-server-'));
    dataFile = join(dir, 'state.json');
    ({ server, url } = await startServer(dataFile));
  });
  after(async () => {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const validate = (authorization: string | undefined): Promise<HttpResult> =>
    request(`${url}/v1/licenses/validate`, {
      method: 'POST',
      headers: authorization === undefined ? {} : { authorization },
    });

  /** POSTs `batch` with `Idempotency-Key: <batch_id>`, another key, or (null) none. */
  const sendUsage = (license: License, batch: UsageBatch, idempotencyKey: string | null = batch.batch_id): Promise<HttpResult> =>
    request(`${url}/v1/usage`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${license.key}`,
        'content-type': 'application/json',
        ...(idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey }),
      },
      body: JSON.stringify(batch),
    });

  const admin = (method: string, path: string, body?: unknown, token: string = ADMIN_TOKEN): Promise<HttpResult> =>
    request(`${url}/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const usageOf = async (license: License) => {
    const result = await admin('GET', `/usage/${license.licenseId}`);
    assert.equal(result.status, 200, result.text);
    return result.json;
  };

  /** Asserts a refused validation: status, code, and the protocol's refusal body. */
  const assertRefused = (result: HttpResult, status: number, code: string): void => {
    assert.equal(result.status, status, result.text);
    assert.equal(validationRefusedSchema.parse(result.json).code, code);
    assert.equal(typeof result.json.request_id, 'string');
  };

  describe('POST /v1/licenses/validate', () => {
    test('a good key is valid: license id, customer and expiry from the key', async () => {
      const license = newLicense();
      for (const scheme of ['Bearer', 'Token']) {
        const result = await validate(`${scheme} ${license.key}`);
        assert.equal(result.status, 200, result.text);
        const body = validationAcceptedSchema.parse(result.json);
        assert.equal(body.license_id, license.licenseId);
        assert.equal(body.customer, 'acme');
        assert.equal(body.expires_at, license.expiresAt);
      }
    });

    test('a JSON body naming the instance is accepted, an empty JSON body too', async () => {
      const license = newLicense();
      const headers = { authorization: `Bearer ${license.key}`, 'content-type': 'application/json' };
      const named = await request(`${url}/v1/licenses/validate`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ instance_id: 'proxy-1', version: '0.1.0' }),
      });
      assert.equal(named.status, 200, named.text);
      const empty = await request(`${url}/v1/licenses/validate`, { method: 'POST', headers });
      assert.equal(empty.status, 200, empty.text);
    });

    test('a key signed by another vendor is 401 INVALID_LICENSE', async () => {
      const foreign = newLicense({ signer: generateSigningKeyPair() });
      assertRefused(await validate(`Bearer ${foreign.key}`), 401, 'INVALID_LICENSE');
    });

    test('a malformed key, a malformed header and no header are 401 INVALID_LICENSE', async () => {
      assertRefused(await validate('Bearer stl1.not-a.key'), 401, 'INVALID_LICENSE');
      assertRefused(await validate(`Basic ${newLicense().key}`), 401, 'INVALID_LICENSE');
      assertRefused(await validate(undefined), 401, 'INVALID_LICENSE');
    });

    test('an expired key is 403 LICENSE_EXPIRED', async () => {
      const expired = newLicense({ validDays: 1, now: new Date(Date.now() - 2 * DAY_MS) });
      assertRefused(await validate(`Bearer ${expired.key}`), 403, 'LICENSE_EXPIRED');
    });

    test('a revoked license is 403 LICENSE_REVOKED, and valid again once reinstated', async () => {
      const license = newLicense();
      const revoked = await admin('POST', `/licenses/${license.licenseId}/revoke`);
      assert.deepEqual(revoked.json, { license_id: license.licenseId, revoked: true });
      assertRefused(await validate(`Bearer ${license.key}`), 403, 'LICENSE_REVOKED');
      assert.equal((await validate(`Bearer ${newLicense().key}`)).status, 200, 'other licenses are not affected');

      const reinstated = await admin('DELETE', `/licenses/${license.licenseId}/revoke`);
      assert.deepEqual(reinstated.json, { license_id: license.licenseId, revoked: false });
      assert.equal((await validate(`Bearer ${license.key}`)).status, 200);
    });
  });

  describe('POST /v1/usage', () => {
    test('a batch is counted into its licenses; the same batch again is a duplicate and counts nothing', async () => {
      const first = newLicense();
      const second = newLicense();
      const batch: UsageBatch = {
        batch_id: 'batch-counted-once',
        events: [
          usageEvent(first, 'req_1', { audio_seconds: 1.5, features: ['punctuation', 'word_timestamps'] }),
          usageEvent(first, 'req_2', { kind: 'stream', audio_seconds: 4, features: [], status: 101 }),
          usageEvent(first, 'req_3', { audio_seconds: 0, status: 422 }),
          usageEvent(second, 'req_4'),
        ],
      };
      const counted = await sendUsage(first, batch);
      assert.equal(counted.status, 200, counted.text);
      assert.deepEqual(usageBatchAckSchema.parse(counted.json), { batch_id: batch.batch_id, accepted: 4, duplicate: false });

      const totals = await usageOf(first);
      assert.equal(totals.requests, 3);
      assert.equal(totals.audio_seconds, 5.5);
      assert.deepEqual(totals.by_status, { '101': 1, '200': 1, '422': 1 });
      assert.deepEqual(totals.by_feature, { punctuation: 2, word_timestamps: 1 });
      assert.deepEqual(totals.by_kind, { batch: 2, stream: 1 });
      assert.equal(totals.batches, 1);
      assert.deepEqual(totals.request_ids, ['req_1', 'req_2', 'req_3']);
      assert.equal((await usageOf(second)).requests, 1);

      const again = await sendUsage(first, batch);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.json, { batch_id: batch.batch_id, accepted: 0, duplicate: true });
      const unchanged = await usageOf(first);
      assert.deepEqual({ ...unchanged, duplicate_batches: 0 }, { ...totals, duplicate_batches: 0 }, 'totals unchanged');
      assert.equal(unchanged.duplicate_batches, totals.duplicate_batches + 1);
    });

    test('concurrent deliveries of one batch count it once', async () => {
      const license = newLicense();
      const batch: UsageBatch = { batch_id: 'batch-concurrent', events: [usageEvent(license, 'req_c')] };
      const answers = await Promise.all(Array.from({ length: 8 }, () => sendUsage(license, batch)));
      assert.deepEqual(answers.map((answer) => answer.status), Array(8).fill(200));
      assert.equal(answers.filter((answer) => answer.json.duplicate === false).length, 1);
      assert.equal((await usageOf(license)).requests, 1);
    });

    test('usage of a revoked or expired license is still counted; a key not signed by the vendor is 401', async () => {
      const revoked = newLicense();
      await admin('POST', `/licenses/${revoked.licenseId}/revoke`);
      const revokedUsage = await sendUsage(revoked, { batch_id: 'batch-revoked', events: [usageEvent(revoked, 'req_r')] });
      assert.equal(revokedUsage.status, 200, revokedUsage.text);
      assert.equal((await usageOf(revoked)).requests, 1);

      const expired = newLicense({ validDays: 1, now: new Date(Date.now() - 2 * DAY_MS) });
      const expiredUsage = await sendUsage(expired, { batch_id: 'batch-expired', events: [usageEvent(expired, 'req_e')] });
      assert.equal(expiredUsage.status, 200, expiredUsage.text);
      assert.equal((await usageOf(expired)).requests, 1);

      const foreign = newLicense({ signer: generateSigningKeyPair() });
      const victim = newLicense();
      const refused = await sendUsage(foreign, { batch_id: 'batch-foreign', events: [usageEvent(victim, 'req_f')] });
      assert.equal(refused.status, 401, refused.text);
      assert.equal(refused.json.code, 'INVALID_LICENSE');
      assert.equal((await usageOf(victim)).requests, 0);
    });

    test('an Idempotency-Key missing or other than batch_id is 400 INVALID_PARAMETER, and nothing is counted', async () => {
      const license = newLicense();
      const batch: UsageBatch = { batch_id: 'batch-key-mismatch', events: [usageEvent(license, 'req_k')] };
      for (const idempotencyKey of ['another-batch', null]) {
        const result = await sendUsage(license, batch, idempotencyKey);
        assert.equal(result.status, 400, result.text);
        assert.equal(result.json.code, 'INVALID_PARAMETER');
        assert.equal(result.json.parameter, 'Idempotency-Key');
      }
      assert.equal((await usageOf(license)).requests, 0);
    });

    test('an invalid batch is 400 INVALID_PARAMETER naming the field, and nothing is counted', async () => {
      const license = newLicense();
      const negative = { batch_id: 'batch-invalid', events: [usageEvent(license, 'req_i', { audio_seconds: -1 })] };
      const result = await sendUsage(license, negative);
      assert.equal(result.status, 400, result.text);
      assert.equal(result.json.code, 'INVALID_PARAMETER');
      assert.equal(result.json.parameter, 'events.0.audio_seconds');

      const empty = await sendUsage(license, { batch_id: 'batch-empty', events: [] });
      assert.equal(empty.status, 400, empty.text);
      assert.equal(empty.json.parameter, 'events');
      assert.equal((await usageOf(license)).requests, 0);
    });
  });

  describe('faults', () => {
    test('usage_error_rate 1: 503 SERVICE_UNAVAILABLE and nothing counted; counted once the fault is off', async () => {
      const license = newLicense();
      const batch: UsageBatch = { batch_id: 'batch-error-fault', events: [usageEvent(license, 'req_x')] };
      const set = await admin('PUT', '/faults', { usage_error_rate: 1 });
      assert.deepEqual(set.json, { usage_error_rate: 1, usage_ack_loss_rate: 0 });
      try {
        const failed = await sendUsage(license, batch);
        assert.equal(failed.status, 503, failed.text);
        assert.equal(failed.json.code, 'SERVICE_UNAVAILABLE');
        assert.equal((await usageOf(license)).requests, 0);
        assert.equal((await validate(`Bearer ${license.key}`)).status, 200, 'validation is not affected');
      } finally {
        await admin('PUT', '/faults', {});
      }
      const retried = await sendUsage(license, batch);
      assert.equal(retried.json.duplicate, false);
      assert.equal((await usageOf(license)).requests, 1);
    });

    test('usage_ack_loss_rate 1: the batch is counted but the answer never comes; the retry is a duplicate', async () => {
      const license = newLicense();
      const batch: UsageBatch = { batch_id: 'batch-ack-lost', events: [usageEvent(license, 'req_a'), usageEvent(license, 'req_b')] };
      await admin('PUT', '/faults', { usage_ack_loss_rate: 1 });
      try {
        await assert.rejects(sendUsage(license, batch), 'the connection is cut without an answer');
      } finally {
        await admin('PUT', '/faults', {});
      }
      const retried = await sendUsage(license, batch);
      assert.deepEqual(retried.json, { batch_id: batch.batch_id, accepted: 0, duplicate: true });
      const totals = await usageOf(license);
      assert.equal(totals.requests, 2);
      assert.equal(totals.batches, 1);
    });

    test('fault rates outside 0..1 are 400 INVALID_PARAMETER', async () => {
      const result = await admin('PUT', '/faults', { usage_error_rate: 1.5 });
      assert.equal(result.status, 400, result.text);
      assert.equal(result.json.parameter, 'usage_error_rate');
    });
  });

  describe('admin routes', () => {
    test('refuse a request without the admin token, or with a license key instead: 401 envelope', async () => {
      const license = newLicense();
      const attempts: [string, string][] = [
        ['POST', `/licenses/${license.licenseId}/revoke`],
        ['DELETE', `/licenses/${license.licenseId}/revoke`],
        ['GET', `/usage/${license.licenseId}`],
        ['PUT', '/faults'],
      ];
      for (const [method, path] of attempts) {
        for (const authorization of [undefined, `Bearer ${ADMIN_TOKEN}x`, `Bearer ${license.key}`]) {
          const result = await request(`${url}/v1/admin${path}`, { method, headers: authorization === undefined ? {} : { authorization } });
          assert.equal(result.status, 401, `${method} ${path}`);
          assert.equal(result.json.code, 'INVALID_LICENSE');
          assert.equal(typeof result.json.request_id, 'string');
        }
      }
      assert.equal((await validate(`Bearer ${license.key}`)).status, 200, 'the refused revoke did nothing');
    });

    test('usage of a license never seen is all zeros', async () => {
      const license = newLicense();
      const { duplicate_batches: _global, ...totals } = await usageOf(license);
      assert.deepEqual(totals, {
        license_id: license.licenseId,
        requests: 0,
        audio_seconds: 0,
        by_status: {},
        by_feature: {},
        by_kind: {},
        batches: 0,
        request_ids: [],
      });
    });
  });

  test('/health is healthy and /metrics counts validations and usage', async () => {
    assert.deepEqual((await request(`${url}/health`)).json, { status: 'healthy' });
    const metrics = (await request(`${url}/metrics`)).text;
    assert.match(metrics, /^license_server_validations_total\{result="valid"\} [1-9]/m);
    assert.match(metrics, /^license_server_validations_total\{result="license_revoked"\} [1-9]/m);
    assert.match(metrics, /^license_server_usage_batches_total\{result="duplicate"\} [1-9]/m);
    assert.match(metrics, /^license_server_usage_batches_total\{result="ack_dropped"\} [1-9]/m);
    assert.match(metrics, /^license_server_usage_events_total [1-9]/m);
  });

  test('totals, counted batch ids and revocations survive SIGKILL and a restart on the same DATA_FILE', async () => {
    const license = newLicense();
    const batch: UsageBatch = { batch_id: 'batch-before-restart', events: [usageEvent(license, 'req_p', { audio_seconds: 7 })] };
    assert.equal((await sendUsage(license, batch)).json.duplicate, false);
    await admin('POST', `/licenses/${license.licenseId}/revoke`);
    const before = await usageOf(license);

    await server.kill();
    ({ server, url } = await startServer(dataFile));
    const loaded = await server.waitForLog('Loaded state from DATA_FILE');
    assert.equal(loaded.created, false);

    assert.deepEqual(await usageOf(license), before);
    assert.equal((await sendUsage(license, batch)).json.duplicate, true, 'the batch id is remembered');
    assertRefused(await validate(`Bearer ${license.key}`), 403, 'LICENSE_REVOKED');
  });

  test('SIGTERM stops the server with status 0', async () => {
    server.signal('SIGTERM');
    assert.deepEqual(await server.exited(), { code: 0, signal: null });
  });
});

describe('license server start-up', () => {
  test('a DATA_FILE that is not a state file fails at start with one line naming it, status 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stt-license-server-'));
    const dataFile = join(dir, 'state.json');
    try {
      for (const content of ['{"version": 1, "usage": [', '{"version": 2}']) {
        writeFileSync(dataFile, content);
        const result = spawnSync(process.execPath, [serviceEntry('license-server')], {
          env: { PATH: process.env.PATH, LICENSE_PUBLIC_KEYS: vendor.publicKey, ADMIN_TOKEN, DATA_FILE: dataFile, PORT: '1' },
          encoding: 'utf8',
          timeout: 10_000,
        });
        assert.equal(result.status, 1, result.stderr);
        const lines = result.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `exactly one line, got: ${result.stderr}`);
        assert.ok(lines[0]!.startsWith(`license-server: failed to start: DATA_FILE ${dataFile} `), lines[0]);
        assert.equal(readFileSync(dataFile, 'utf8'), content, 'the file is left as it was');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
