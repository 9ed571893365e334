import assert from 'node:assert/strict';
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { generateSigningKeyPair, issueLicenseKey } from '@stt/license-proxy';
import { bearerCredential, checkLicenseKey, parsePublicKeys } from '@stt/shared';
import { fuzz } from './support/fuzz.js';
import { assertContractRefusal } from './support/contract-checks.js';
import { rawRequest, requestBytes } from './support/raw-http.js';
import { TestStack } from './support/test-stack.js';

/*
 * License keys (`stl1.<claims>.<signature>`), in process and as sent in the Authorization header
 * to a real API server: issued keys, keys with a character changed, added, removed or cut, parts
 * swapped between keys, claims of any shape signed by a trusted key or by a stranger, and any
 * text. A key is accepted exactly when it is, byte for byte, one a trusted key signed, with
 * claims of the contract's shape and in date; the server agrees with the function on every one.
 */

const trusted = generateSigningKeyPair();
const stranger = generateSigningKeyPair();
const trustedKeys = parsePublicKeys([trusted.publicKey]);
const trustedSigner = createPrivateKey(trusted.privateKeyPem);
const strangerSigner = createPrivateKey(stranger.privateKeyPem);
const NOW = new Date();
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function signedKey(signer: KeyObject, claims: unknown): string {
  const payload = Buffer.from(typeof claims === 'string' ? claims : JSON.stringify(claims), 'utf8');
  return `stl1.${payload.toString('base64url')}.${sign(null, payload, signer).toString('base64url')}`;
}

const validClaims = {
  v: 1,
  license_id: 'fuzz-license',
  customer: 'fuzz',
  issued_at: new Date(NOW.getTime() - 86_400_000).toISOString(),
  expires_at: new Date(NOW.getTime() + 86_400_000).toISOString(),
  features: ['batch'],
  limits: { requests_per_minute: 10, concurrent_requests: 1, audio_hours_per_day: 1 },
};

/** Claims of the right shape with one field replaced by anything (a date in the past, a string for a number, …). */
const claims = fc.oneof(
  fc.constant(validClaims),
  fc
    .tuple(
      fc.constantFrom(...Object.keys(validClaims), 'limits.requests_per_minute', 'limits.audio_hours_per_day', 'extra'),
      fc.oneof(
        fc.jsonValue({ maxDepth: 1 }),
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        fc.constantFrom('2000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'not a date', '', 0, -1, 1.5, 2),
      ),
    )
    .map(([field, value]) => {
      const copy = structuredClone(validClaims) as Record<string, unknown> & { limits: Record<string, unknown> };
      if (field.startsWith('limits.')) copy.limits[field.slice(7)] = value;
      else copy[field] = value;
      return copy;
    }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 40 }),
);

/** A character edit at `at` (modulo the length): replace, insert, or delete. */
const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  char: fc.oneof(fc.constantFrom(...BASE64URL), fc.constantFrom('.', '=', '+', '/', ' ', '\t', '!', '\u00e9', '\u0000')),
});

const key = fc.oneof(
  { arbitrary: claims.map((value) => signedKey(trustedSigner, value)), weight: 3 },
  { arbitrary: claims.map((value) => signedKey(strangerSigner, value)), weight: 1 },
  {
    arbitrary: fc.tuple(claims, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([value, edits]) => {
      let text = signedKey(trustedSigner, value);
      for (const { at, kind, char } of edits) {
        const index = at % (text.length + 1);
        text = kind === 'insert' ? text.slice(0, index) + char + text.slice(index) : text.slice(0, index) + (kind === 'replace' ? char : '') + text.slice(index + 1);
      }
      return text;
    }),
    weight: 4,
  },
  {
    // The claims of one key with the signature of another.
    arbitrary: fc.tuple(claims, claims).map(([first, second]) => {
      const [prefix, payload] = signedKey(trustedSigner, first).split('.');
      return `${prefix}.${payload}.${signedKey(trustedSigner, second).split('.')[2]}`;
    }),
    weight: 1,
  },
  { arbitrary: fc.string({ maxLength: 80 }), weight: 1 },
);

/**
 * The oracle: accepted exactly when the key, surrounding white space aside, is `stl1.` and the
 * canonical base64url of bytes a trusted key signed, whose claims are valid and unexpired.
 */
function expectedVerdict(text: string): 'ok' | 'expired' | 'refused' {
  const parts = text.trim().split('.');
  if (parts.length !== 3 || parts[0] !== 'stl1') return 'refused';
  const payload = Buffer.from(parts[1]!, 'base64url');
  const signature = Buffer.from(parts[2]!, 'base64url');
  if (payload.toString('base64url') !== parts[1] || signature.toString('base64url') !== parts[2]) return 'refused';
  if (parts[1] === '' || signature.length !== 64) return 'refused';
  const resigned = sign(null, payload, trustedSigner);
  if (!resigned.equals(signature)) return 'refused';
  const check = checkLicenseKey(`stl1.${parts[1]}.${parts[2]}`, trustedKeys, NOW);
  return check.ok ? 'ok' : check.reason === 'expired' ? 'expired' : 'refused';
}

describe('fuzzing license keys', () => {
  test('fuzz license-key: accepted exactly when it is a trusted, well-formed, unexpired key', async () => {
    let accepted = 0;
    await fuzz(
      'license-key',
      fc.property(key, (text) => {
        const check = checkLicenseKey(text, trustedKeys, NOW);
        const verdict = check.ok ? 'ok' : check.reason === 'expired' ? 'expired' : 'refused';
        assert.equal(verdict, expectedVerdict(text), JSON.stringify(text));
        if (check.ok) {
          accepted++;
          assert.ok(Date.parse(check.claims.expires_at) > NOW.getTime());
        }
      }),
      { budgetMs: 30_000, summary: () => `${accepted} accepted` },
    );
  });

  describe('in the Authorization header, on a real API server', () => {
    let stack: TestStack;
    before(async () => {
      stack = await TestStack.start({ workers: 1, apiEnv: { LICENSE_PUBLIC_KEYS: trusted.publicKey } });
      await stack.healthy();
    });
    after(() => stack.stop());

    test('fuzz authorization-header: 404 for a job (authenticated) exactly when the key is good, otherwise 401/403/400 in the envelope', async () => {
      const statuses = new Map<number, number>();
      const header = fc.record({
        scheme: fc.constantFrom('Token', 'Bearer', 'token', 'BEARER', 'Basic', 'Token:', ''),
        gap: fc.constantFrom(' ', '  ', '\t', ''),
        key,
        trailing: fc.constantFrom('', ' ', '\t', ' x'),
      });
      await fuzz(
        'authorization-header',
        fc.asyncProperty(header, async ({ scheme, gap, key: text, trailing }) => {
          const value = `${scheme}${gap}${text}${trailing}`;
          const bytes = requestBytes('GET', '/v1/listen/job_fuzz', { authorization: value });
          const response = await rawRequest(stack.apiUrl, bytes, { timeoutMs: 5000 });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          assertContractRefusal(response);
          // Node refuses a header holding control characters before any route sees it.
          if (response.status === 400) {
            assert.match(value, /[\u0000-\u0008\u000a-\u001f\u007f]/, `400 for ${JSON.stringify(value)}: ${response.text}`);
            return;
          }
          // Node trims the header's surrounding white space; the route then reads `Token|Bearer <key>`.
          const credential = bearerCredential(value.replace(/^[ \t]+|[ \t]+$/g, ''));
          const verdict = credential === undefined ? 'refused' : expectedVerdict(credential);
          const expected = { ok: 404, expired: 403, refused: 401 }[verdict];
          assert.equal(response.status, expected, `${JSON.stringify(value)}: ${response.text}`);
        }),
        {
          budgetMs: 60_000,
          caseTimeoutMs: 10_000,
          summary: () => [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${count}×${status}`).join(' '),
        },
      );
      // The issued keys of the stack still work.
      const issued = issueLicenseKey(trusted.privateKeyPem, { customer: 'after', validDays: 1 });
      const response = await rawRequest(stack.apiUrl, requestBytes('GET', '/v1/listen/job_none', { authorization: `Token ${issued}` }));
      assert.equal(response.status, 404);
      assert.ok(stack.api.running);
    });
  });
});
