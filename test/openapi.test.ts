import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RouteEntry } from '@stt/api-server';
import { readFileSync } from 'node:fs';
import { request } from './support/http.js';
import { GOFORWARD_RAW } from './support/speech-corpus.js';
import { StreamClient, StreamRefused } from './support/stream-client.js';
import { routeTable } from './support/route-table.js';
import { TestStack } from './support/test-stack.js';

interface OpenApiParameter {
  readonly name: string;
  readonly in: string;
  readonly schema: { readonly type?: string; readonly enum?: readonly string[]; readonly minimum?: number; readonly maximum?: number; readonly default?: unknown };
}
interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, { readonly summary?: string; readonly parameters?: readonly OpenApiParameter[]; readonly responses: Record<string, unknown> }>>;
}

/** A batch request with `url`'s options and a short audio body: the server's answer. */
async function batchRefusal(url: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const answer = await request(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: readFileSync(GOFORWARD_RAW) });
  return { status: answer.status, body: answer.json };
}

/** The refusal of an upgrade to `url` (the live route refuses before it, with the same envelope). */
async function upgradeRefusal(url: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const refusal = await StreamClient.open(url, headers).then(
    (client) => {
      client.socket.terminate();
      throw new Error(`${url} was upgraded`);
    },
    (error: unknown) => error,
  );
  assert.ok(refusal instanceof StreamRefused, String(refusal));
  return { status: refusal.status, body: refusal.body };
}

/** `/v1/listen/:job_id` as OpenAPI writes it: `/v1/listen/{job_id}`. */
const openApiPath = (url: string): string => url.replace(/:([^/]+)/g, '{$1}');

describe('OpenAPI document and docs', () => {
  let stack: TestStack;
  let routes: RouteEntry[];
  let document: OpenApiDocument;
  before(async () => {
    stack = await TestStack.start({ workers: 1 });
    await stack.healthy();
    routes = await routeTable(stack);
    const answer = await request(`${stack.apiUrl}/openapi.json`);
    assert.equal(answer.status, 200, 'served without a key');
    document = answer.json as OpenApiDocument;
  });
  after(() => stack.stop());

  test('is OpenAPI 3.1 and documents every route of the route table (but the docs themselves), each with a summary and its answers', () => {
    assert.equal(document.openapi, '3.1.0');
    const documented = routes.filter((route) => !(route.public && /^\/(openapi\.json|docs)/.test(route.url)));
    assert.ok(documented.length > 10);
    for (const route of documented) {
      const item = document.paths[openApiPath(route.url)];
      assert.ok(item !== undefined, `${route.url} is in the document`);
      // Fastify answers HEAD for every GET route: documented as the GET.
      const operation = item[route.method.toLowerCase()] ?? (route.method === 'HEAD' ? item.get : undefined);
      assert.ok(operation !== undefined, `${route.method} ${route.url} is in the document`);
      assert.ok(operation.summary !== undefined && operation.summary.length > 0, `${route.method} ${route.url} has a summary`);
      assert.ok(Object.keys(operation.responses).length > 0, `${route.method} ${route.url} has its answers`);
    }
  });

  test("the batch and live options are the handlers' own schemas: every bound the document states, the server enforces", async () => {
    const auth = { authorization: `Token ${stack.licenseKey}` };
    for (const [path, method] of [['/v1/listen', 'post'], ['/v1/listen/stream', 'get']] as const) {
      const parameters = document.paths[path]?.[method]?.parameters ?? [];
      assert.ok(parameters.some((parameter) => parameter.name === 'language' && parameter.schema.default === 'en'), `${path} documents language, default en`);
      const bounded = parameters.filter((parameter) => parameter.schema.maximum !== undefined || parameter.schema.enum !== undefined);
      assert.ok(bounded.length > 0, `${path} states bounds`);
      for (const { name, schema } of bounded) {
        const outside = schema.maximum !== undefined ? String(schema.maximum + 1) : 'not-one-of-them';
        const refusal = method === 'post' ? await batchRefusal(`${stack.apiUrl}${path}?${name}=${outside}`, auth) : await upgradeRefusal(`${stack.apiUrl.replace('http', 'ws')}${path}?${name}=${outside}`, auth);
        assert.equal(refusal.status, 400, `${path} ${name}=${outside}`);
        assert.equal(refusal.body.code, 'INVALID_PARAMETER');
        assert.equal(refusal.body.parameter, name);
      }
    }
  });

  test('the browsable docs are served at /docs without a key, from the same document', async () => {
    const page = await request(`${stack.apiUrl}/docs/`);
    assert.equal(page.status, 200);
    assert.match(page.text, /swagger-ui/i);
    const json = await request(`${stack.apiUrl}/docs/json`);
    assert.deepEqual(Object.keys((json.json as OpenApiDocument).paths).sort(), Object.keys(document.paths).sort());
  });
});
