import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { formBytes } from './support/form-bytes.js';
import { fuzz } from './support/fuzz.js';
import { assertContractRefusal, assertStackStillServes, serverLog } from './support/contract-checks.js';
import { waitFor } from './support/http.js';
import { rawRequest, requestBytes } from './support/raw-http.js';
import { convert, goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';

/*
 * POST /v1/listen with generated bodies, against a real API server and worker: multipart forms
 * with any boundary, Content-Type, part headers, field names and values, audio or garbage in the
 * file part, missing or extra boundaries, LF line ends, a preamble or an epilogue, bodies cut
 * short, chunked or not; and some JSON and raw bodies. Every answer is a 200 or a contract
 * refusal, at once; the server keeps serving.
 *
 * URLs in the generated options are only ones the address rules refuse without a DNS lookup or a
 * connection (internal addresses, other schemes, unparsable text): nothing leaves the machine.
 */
const SAFE_URLS = [
  'http://127.0.0.1/a.wav',
  'http://10.0.0.1/a.wav',
  'https://localhost/a.wav',
  'http://[::1]:8080/',
  'http://169.254.169.254/latest/meta-data',
  'http://0x7f.1/',
  'ftp://example.com/a.wav',
  'file:///etc/passwd',
  'not a url',
  '',
];
const URL_OPTIONS = new Set(['url', 'callback_url', 'webhook_url']);
const OPTION_NAMES = ['audio', 'punctuate', 'language', 'timestamps', 'diarize', 'num_speakers', 'min_speakers', 'max_speakers', 'callback_url', 'url', 'file', '__proto__', 'constructor', 'hasOwnProperty'];
const OPTION_VALUES = ['true', 'false', '1', '0', 'yes', 'maybe', '', 'en', 'en-US', 'fr', '2', '-1', '33', '{"a":1}', 'null'];

describe('fuzzing multipart input on a real API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-fuzz-form-'));
  let stack: TestStack;
  let key: string;
  let goforward: Buffer;
  /** Audio bodies a form may carry: short enough that decoding them costs little. */
  let audioBodies: Buffer[];

  before(async () => {
    goforward = readFileSync(goforwardWav(dir));
    // 0.1 s: a transcription that costs the worker little.
    const short = Buffer.from(goforward.subarray(0, 44 + 3200));
    short.writeUInt32LE(3200, 40);
    short.writeUInt32LE(short.length - 8, 4);
    const mp3 = readFileSync(convert(join(dir, 'goforward.wav'), join(dir, 'short.mp3'), '-t', '0.1'));
    audioBodies = [short, short.subarray(0, 100), mp3, mp3.subarray(0, 200)];
    stack = await TestStack.start({ workers: 1 });
    key = stack.issueKey({ limits: { requests_per_minute: 1_000_000, concurrent_requests: 1000 } });
    await stack.healthy();
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('fuzz multipart: every request answered at once with a 200 or a contract refusal; the server keeps serving', async () => {
    const text = (values: readonly string[]) => fc.oneof(fc.constantFrom(...values), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));
    const fieldName = text(OPTION_NAMES);
    const partBody = (name: string): fc.Arbitrary<Uint8Array | string> =>
      URL_OPTIONS.has(name)
        ? fc.constantFrom(...SAFE_URLS)
        : fc.oneof(
            // Audio is rare: each form that carries it well costs the worker a transcription.
            { arbitrary: fc.constantFrom(...audioBodies), weight: 1 },
            { arbitrary: fc.uint8Array({ maxLength: 600 }), weight: 6 },
            { arbitrary: text(OPTION_VALUES), weight: 9 },
          );
    const part = fieldName.chain((name) =>
      fc.record({
        name: fc.constant(name),
        filename: fc.option(text(['a.wav', 'a', '../../etc/passwd', '']), { freq: 2 }),
        contentType: fc.option(text(['audio/wav', 'application/json', 'application/octet-stream', 'text/plain; charset=utf-8']), { freq: 2 }),
        body: partBody(name),
      }),
    );
    const boundary = fc.oneof(
      { arbitrary: fc.constant('fuzz-boundary-0123456789'), weight: 4 },
      { arbitrary: fc.stringMatching(/^[0-9A-Za-z'()+_,./:=?-]{1,70}$/), weight: 2 },
      { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 80 }).filter((value) => !/[\r\n]/.test(value)), weight: 1 },
    );
    const form = fc.record({
      boundary,
      /** How the Content-Type names the boundary; `other` names one the body does not use. */
      contentType: fc.constantFrom('plain', 'plain', 'plain', 'quoted', 'missing', 'other', 'upper', 'extra-params', 'mixed'),
      parts: fc.array(part, { maxLength: 5 }),
      closed: fc.boolean(),
      preamble: fc.option(fc.string({ maxLength: 40 }), { freq: 4 }),
      epilogue: fc.option(fc.string({ maxLength: 40 }), { freq: 4 }),
      lfOnly: fc.boolean(),
      /** Cut the body short (Content-Length says how much was sent). */
      cut: fc.option(fc.nat(), { freq: 5 }),
      chunked: fc.boolean(),
      query: fc.array(fc.tuple(fieldName, text(OPTION_VALUES)), { maxLength: 2 }),
    });
    const jsonBody = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.dictionary(fieldName, fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom(...SAFE_URLS)), { maxKeys: 4 }),
    );
    const input = fc.oneof(
      { arbitrary: form.map((value) => ({ kind: 'form' as const, ...value })), weight: 8 },
      { arbitrary: jsonBody.map((value) => ({ kind: 'json' as const, value })), weight: 1 },
      {
        arbitrary: fc
          .oneof({ arbitrary: fc.constantFrom(...audioBodies), weight: 1 }, { arbitrary: fc.uint8Array({ maxLength: 600 }), weight: 6 })
          .map((bytes) => ({ kind: 'raw' as const, bytes })),
        weight: 1,
      },
    );

    const statuses = new Map<number, number>();
    await fuzz(
      'multipart',
      fc.asyncProperty(input, async (generated) => {
        const bytes = requestFor(generated, key);
        const response = await rawRequest(stack.apiUrl, bytes, { timeoutMs: 10_000 });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500) assert.fail(`a ${response.status}: ${response.text}; the server logged: ${await serverLog(stack, response.json?.request_id)}`);
        if (response.status === 200) assert.equal(typeof response.json?.text, 'string', response.text);
        else assertContractRefusal(response);
      }),
      {
        budgetMs: 90_000,
        caseTimeoutMs: 15_000,
        summary: () => [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${count}×${status}`).join(' '),
      },
    );

    const transcribe = async (): Promise<string> => {
      const body = formBytes('b', [{ name: 'audio', filename: 'a.wav', body: goforward }, { name: 'punctuate', body: 'false' }]);
      const bytes = requestBytes('POST', '/v1/listen', { authorization: `Token ${key}`, 'content-type': 'multipart/form-data; boundary=b' }, body);
      return (await rawRequest(stack.apiUrl, bytes, { timeoutMs: 30_000 })).json?.text;
    };
    // A request refused or cut short deletes its stored audio once it has settled.
    const redis = new Redis(stack.redis.url);
    try {
      await waitFor('no segment audio left in Redis', async () => ((await redis.keys('stt:audio:*')).length === 0 ? true : undefined));
    } finally {
      redis.disconnect();
    }
    await assertStackStillServes(stack, transcribe);
  });
});

type Generated =
  | {
      readonly kind: 'form';
      readonly boundary: string;
      readonly contentType: string;
      readonly parts: readonly { name: string; filename: string | null; contentType: string | null; body: Uint8Array | string }[];
      readonly closed: boolean;
      readonly preamble: string | null;
      readonly epilogue: string | null;
      readonly lfOnly: boolean;
      readonly cut: number | null;
      readonly chunked: boolean;
      readonly query: readonly [string, string][];
    }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

/** The request's bytes: headers, and the body as generated (framed by Content-Length or chunked). */
function requestFor(generated: Generated, key: string): Buffer {
  const auth = { authorization: `Token ${key}` };
  if (generated.kind === 'json') {
    return requestBytes('POST', '/v1/listen', { ...auth, 'content-type': 'application/json' }, Buffer.from(JSON.stringify(withSafeUrls(generated.value))));
  }
  if (generated.kind === 'raw') return requestBytes('POST', '/v1/listen', { ...auth, 'content-type': 'audio/wav' }, generated.bytes);

  const parts = generated.parts.map((part) => ({
    name: part.name,
    ...(part.filename === null ? {} : { filename: part.filename }),
    ...(part.contentType === null ? {} : { contentType: part.contentType }),
    body: part.body,
  }));
  let body = formBytes(generated.boundary, parts, { closed: generated.closed });
  if (generated.lfOnly) body = Buffer.from(body.toString('latin1').replaceAll('\r\n', '\n'), 'latin1');
  body = Buffer.concat([Buffer.from(generated.preamble === null ? '' : `${generated.preamble}\r\n`), body, Buffer.from(generated.epilogue ?? '')]);
  if (generated.cut !== null) body = body.subarray(0, generated.cut % (body.length + 1));
  const contentType = {
    plain: `multipart/form-data; boundary=${generated.boundary}`,
    quoted: `multipart/form-data; boundary="${generated.boundary}"`,
    missing: 'multipart/form-data',
    other: 'multipart/form-data; boundary=not-the-boundary-of-this-body',
    upper: `MULTIPART/FORM-DATA; BOUNDARY=${generated.boundary}`,
    'extra-params': `multipart/form-data; charset=utf-8; boundary=${generated.boundary}; x=y`,
    mixed: `multipart/mixed; boundary=${generated.boundary}`,
  }[generated.contentType];
  const query = generated.query
    .map(([name, value]) => [name, URL_OPTIONS.has(name) ? SAFE_URLS[0]! : value])
    .map(([name, value]) => `${encodeURIComponent(name!)}=${encodeURIComponent(value!)}`)
    .join('&');
  const path = `/v1/listen${query === '' ? '' : `?${query}`}`;
  const headers: Record<string, string> = { ...auth, 'content-type': contentType ?? 'multipart/form-data' };
  if (!generated.chunked) return requestBytes('POST', path, headers, body);
  const chunks = body.length === 0 ? [] : [body.subarray(0, body.length >> 1), body.subarray(body.length >> 1)].filter((piece) => piece.length > 0);
  const framed = Buffer.concat([...chunks.flatMap((piece) => [Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]), Buffer.from('0\r\n\r\n')]);
  return requestBytes('POST', path, { ...headers, 'transfer-encoding': 'chunked' }, framed);
}

/** JSON with every URL option replaced by one refused without a lookup. */
function withSafeUrls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, URL_OPTIONS.has(name) ? SAFE_URLS[1] : field]));
}
