import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { checkLicenseKey, parsePublicKeys } from '@stt/shared';
import { serviceEntry } from '@stt/stack';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [serviceEntry('license-proxy'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe('license-proxy keygen and issue', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-keys-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('keygen writes a private key only its owner can read, and prints the public key', () => {
    const { code, stdout } = cli('keygen', '--out', dir);
    assert.equal(code, 0);
    assert.equal(stdout, readFileSync(join(dir, 'signing.pub'), 'utf8').trim());
    assert.equal(statSync(join(dir, 'signing.key')).mode & 0o777, 0o600);
  });

  test('issue prints a key that verifies against that public key, with the claims asked for', () => {
    const { code, stdout } = cli(
      'issue', '--signing-key', join(dir, 'signing.key'), '--customer', 'acme', '--days', '10',
      '--features', 'batch,streaming', '--requests-per-minute', '120', '--concurrent', '4', '--audio-hours-per-day', '5',
    );
    assert.equal(code, 0);
    const check = checkLicenseKey(stdout, parsePublicKeys([readFileSync(join(dir, 'signing.pub'), 'utf8').trim()]));
    assert.ok(check.ok);
    assert.equal(check.claims.customer, 'acme');
    assert.deepEqual(check.claims.features, ['batch', 'streaming']);
    assert.deepEqual(check.claims.limits, { requests_per_minute: 120, concurrent_requests: 4, audio_hours_per_day: 5 });
    const days = (Date.parse(check.claims.expires_at) - Date.parse(check.claims.issued_at)) / 86_400_000;
    assert.equal(Math.round(days), 10);
  });

  test('missing options fail with one usage message and status 1', () => {
    const { code, stderr } = cli('issue', '--customer', 'acme');
    assert.equal(code, 1);
    assert.match(stderr, /--signing-key FILE is required/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
});
