import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSigningKeyPair, issueLicenseKey } from '@stt/license-proxy';
import type { RouteEntry } from '@stt/api-server';
import { request } from './support/http.js';
import { routeTable } from './support/route-table.js';
import { TestStack } from './support/test-stack.js';

const HEALTH_ROUTES = ['/health', '/api/v1/health', '/healthz', '/health/live', '/health/ready', '/health/asr', '/health/license', '/health/redis'];

/** A concrete path for a route pattern (`/v1/listen/:job_id` → `/v1/listen/x`). */
const concrete = (url: string): string => url.replace(/:[^/]+/g, 'x').replace(/\*/g, 'x');

/** The routes of the OpenAI-compatible API, whose errors are in OpenAI's shape. */
const OPENAI_ROUTE = /^\/v1\/(audio|models)(\/|$)/;

describe('authentication', () => {
  let stack: TestStack;
  let routes: RouteEntry[];
  before(async () => {
    stack = await TestStack.start({ workers: 1 });
    await stack.healthy();
    routes = await routeTable(stack);
  });
  after(() => stack.stop());

  test('the public routes are exactly the health routes and the API docs', () => {
    const publicPaths = new Set(routes.filter((route) => route.public).map((route) => route.url));
    const docs = [...publicPaths].filter((path) => !HEALTH_ROUTES.includes(path));
    assert.deepEqual([...publicPaths].filter((path) => HEALTH_ROUTES.includes(path)).sort(), [...HEALTH_ROUTES].sort());
    assert.ok(docs.includes('/openapi.json') && docs.includes('/docs'), docs.join(' '));
    for (const path of docs) assert.match(path, /^\/(openapi\.json$|docs(\/|$))/, 'nothing else is public');
    assert.ok(routes.some((route) => !route.public), 'there are routes that need a key');
  });

  test('every other route of the table refuses a request without a key: 401 INVALID_LICENSE', async () => {
    for (const route of routes.filter((entry) => !entry.public)) {
      const result = await request(`${stack.apiUrl}${concrete(route.url)}`, { method: route.method });
      assert.equal(result.status, 401, `${route.method} ${route.url}`);
      if (route.method === 'HEAD') continue;
      assert.match(result.json.request_id, /^req_/);
      if (OPENAI_ROUTE.test(route.url)) {
        // OpenAI's routes answer in OpenAI's error shape (docs/compatibility.md).
        assert.equal(result.json.error.code, 'invalid_api_key', `${route.method} ${route.url}`);
        assert.equal(result.json.error.type, 'authentication_error');
        continue;
      }
      if (route.url.startsWith('/deepgram/')) {
        // Deepgram's routes answer in Deepgram's error shape, under Deepgram's name for the refusal.
        assert.equal(result.json.err_code, 'INVALID_AUTH', `${route.method} ${route.url}`);
        assert.equal(typeof result.json.err_msg, 'string');
        continue;
      }
      assert.equal(result.json.code, 'INVALID_LICENSE', `${route.method} ${route.url}`);
      assert.equal(typeof result.json.error, 'string');
    }
  });

  test('health routes need no key', async () => {
    for (const path of HEALTH_ROUTES) {
      assert.notEqual((await request(`${stack.apiUrl}${path}`)).status, 401, path);
    }
  });

  test('Token and Bearer both carry a valid key', async () => {
    for (const scheme of ['Token', 'Bearer', 'token']) {
      const result = await request(`${stack.apiUrl}/metrics`, { headers: { authorization: `${scheme} ${stack.licenseKey}` } });
      assert.equal(result.status, 200, scheme);
      assert.match(result.text, /^# TYPE api_http_requests_total counter$/m);
    }
  });

  test('a wrong, tampered, malformed or foreign-signed key gets 401 with the contract body', async () => {
    const foreign = issueLicenseKey(generateSigningKeyPair().privateKeyPem, { customer: 'mallory', validDays: 30 });
    const [prefix, payload, signature] = stack.licenseKey.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = [prefix, Buffer.from(JSON.stringify({ ...claims, customer: 'mallory' })).toString('base64url'), signature].join('.');
    for (const header of [`Token ${foreign}`, `Token ${tampered}`, 'Token not-a-key', 'Basic dXNlcjpwYXNz', `Token${stack.licenseKey}`]) {
      const result = await request(`${stack.apiUrl}/metrics`, { headers: { authorization: header, 'x-request-id': 'auth-check' } });
      assert.equal(result.status, 401, header.slice(0, 20));
      assert.equal(result.json.code, 'INVALID_LICENSE');
      assert.equal(result.json.request_id, 'auth-check');
      assert.equal(result.headers.get('x-request-id'), 'auth-check');
      assert.doesNotMatch(result.text, /at .*\.js|node_modules|stack/i, 'no stack trace reaches the client');
    }
  });

  test('a key with characters outside base64url, padding, or unused bits set is 401, not the key it was made from', async () => {
    // Found by fuzzing (test/fuzz-license-key.test.ts): Node's base64url decoder skips what it does not know.
    const [prefix, payload, signature] = stack.licenseKey.split('.') as [string, string, string];
    // 64 bytes take 86 characters: the last one carries 2 bits of the signature and 4 unused ones.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const lastBits = signature.slice(0, -1) + alphabet[alphabet.indexOf(signature.at(-1)!) ^ 1];
    for (const variant of [`${prefix}.${payload.slice(0, 10)}!${payload.slice(10)}.${signature}`, `${prefix}.${payload}.${signature}=`, `${prefix}.${payload}.${lastBits}`]) {
      const result = await request(`${stack.apiUrl}/metrics`, { headers: { authorization: `Token ${variant}` } });
      assert.equal(result.status, 401, variant.slice(-12));
      assert.equal(result.json.code, 'INVALID_LICENSE');
    }
    assert.equal((await request(`${stack.apiUrl}/metrics`, { headers: { authorization: `Token ${stack.licenseKey}` } })).status, 200);
  });

  test('an expired key gets 403 LICENSE_EXPIRED with expires_at', async () => {
    const expired = stack.issueKey({ validDays: 1, now: new Date(Date.now() - 2 * 86_400_000) });
    const result = await request(`${stack.apiUrl}/metrics`, { headers: { authorization: `Token ${expired}` } });
    assert.equal(result.status, 403);
    assert.equal(result.json.code, 'LICENSE_EXPIRED');
    assert.equal(result.json.error, 'License expired');
    assert.ok(Date.parse(result.json.expires_at) < Date.now());
  });

  test('an unknown route is 401 without a key and 404 NOT_FOUND with one', async () => {
    assert.equal((await request(`${stack.apiUrl}/v2/nothing-here`)).status, 401);
    const result = await request(`${stack.apiUrl}/v2/nothing-here`, { headers: { authorization: `Token ${stack.licenseKey}` } });
    assert.equal(result.status, 404);
    assert.equal(result.json.code, 'NOT_FOUND');
  });

  test('the key never appears in the logs', () => {
    for (const child of [stack.api, stack.proxy, ...stack.workers]) {
      assert.ok(!child.logs.some((line) => JSON.stringify(line).includes(stack.licenseKey.slice(-30))), child.service);
    }
  });
});
