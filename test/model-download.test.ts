import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createLogger, type Logger } from '@stt/shared';
import { ModelSourceError } from '../packages/lightning-asr/src/model/errors/model-source-error.js';
import { resolveModel, type ModelSourceOptions } from '../packages/lightning-asr/src/model/resolve-model.js';
import { ModelOrigin } from './support/model-origin.js';

const MODEL = randomBytes(300 * 1024);
const MODEL_SHA256 = sha256(MODEL);
const TOKENS = 'a 0\nb 1\n';
const ARCHIVE_FOLDER = 'sherpa-onnx-test-model';

/** Every line logged, by message; a Logger writing here is what the tests pass. */
class CapturedLog {
  readonly lines: { level: string; msg: string; raw: string }[] = [];
  readonly logger: Logger = createLogger('model-download-test', 'debug', {}, {
    write: (raw: string) => {
      const parsed = JSON.parse(raw) as { level: string; msg: string };
      this.lines.push({ level: parsed.level, msg: parsed.msg, raw });
    },
  });

  get messages(): string[] {
    return this.lines.map((line) => line.msg);
  }

  has(pattern: RegExp | string): boolean {
    return this.messages.some((msg) => (typeof pattern === 'string' ? msg === pattern : pattern.test(msg)));
  }
}

let work: string;
let origin: ModelOrigin;
let archives: Record<'tar.gz' | 'tar.bz2' | 'zip' | 'flat.zip', Buffer>;
let modelOnnx: Buffer;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'model-download-'));
  const source = join(work, 'source');
  const folder = join(source, ARCHIVE_FOLDER);
  await mkdir(folder, { recursive: true });
  modelOnnx = randomBytes(64 * 1024);
  await writeFile(join(folder, 'tokens.txt'), TOKENS);
  await writeFile(join(folder, 'model.int8.onnx'), modelOnnx);
  execFileSync('tar', ['-czf', join(work, 'model.tar.gz'), '-C', source, ARCHIVE_FOLDER]);
  execFileSync('bsdtar', ['-cjf', join(work, 'model.tar.bz2'), '-C', source, ARCHIVE_FOLDER]);
  execFileSync('bsdtar', ['--format', 'zip', '-cf', join(work, 'model.zip'), '-C', source, ARCHIVE_FOLDER]);
  execFileSync('bsdtar', ['--format', 'zip', '-cf', join(work, 'flat.zip'), '-C', folder, 'tokens.txt', 'model.int8.onnx']);
  archives = {
    'tar.gz': await readFile(join(work, 'model.tar.gz')),
    'tar.bz2': await readFile(join(work, 'model.tar.bz2')),
    zip: await readFile(join(work, 'model.zip')),
    'flat.zip': await readFile(join(work, 'flat.zip')),
  };

  origin = await ModelOrigin.start();
  origin.serve('/model.bin', MODEL);
  origin.serve('/summed/model.bin', MODEL);
  origin.serve('/summed/model.bin.sha256', `${MODEL_SHA256}  model.bin\n`);
  origin.serve('/bare/model.bin', MODEL);
  origin.serve('/bare/model.bin.sha256', `${MODEL_SHA256}\n`);
  origin.serve('/private/model.bin', MODEL);
  origin.serve('/model.tar.gz', archives['tar.gz']);
  origin.serve('/model.tar.bz2', archives['tar.bz2']);
  origin.serve('/model.zip', archives.zip);
  origin.serve('/flat.zip', archives['flat.zip']);
  origin.serve('/archive-without-suffix', archives['tar.gz']);
  origin.serve('/broken.tar.gz', randomBytes(4096));
  origin.requireAuthorization('/private/', `Basic ${Buffer.from('alice:s3cr3t-pw').toString('base64')}`);
});

after(async () => {
  await origin.close();
  await rm(work, { recursive: true, force: true });
});

/** A fresh cache directory and log for one test, with the test defaults. */
async function setup(overrides: Partial<ModelSourceOptions> = {}): Promise<{ options: ModelSourceOptions; log: CapturedLog }> {
  const log = new CapturedLog();
  const cacheDir = await mkdtemp(join(work, 'cache-'));
  return { log, options: { cacheDir, downloadTimeoutMs: 5000, retries: 3, backoffMs: 20, logger: log.logger, ...overrides } };
}

describe('http(s) download', () => {
  test('downloads into the cache under a stable name, verifies MODEL_SHA256 and logs its progress', async () => {
    const { options, log } = await setup({ url: origin.url('/model.bin'), sha256: MODEL_SHA256.toUpperCase() });
    origin.plan('/model.bin', 'slow');
    const model = await resolveModel(options);

    const key = createHash('sha256').update(origin.url('/model.bin')).digest('hex').slice(0, 16);
    assert.equal(model.path, join(options.cacheDir, `${key}-model.bin`));
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
    assert.deepEqual({ sha256: model.sha256, bytes: model.bytes, fromCache: model.fromCache }, { sha256: MODEL_SHA256, bytes: MODEL.length, fromCache: false });
    assert.ok(log.has(`Downloading model from ${origin.url('/model.bin')}`));
    const progress = log.messages.filter((msg) => msg.startsWith('Download progress: '));
    assert.ok(progress.length >= 2 && progress.length <= 10, progress.join('\n'));
    for (const line of progress) assert.match(line, /^Download progress: \d{1,2}% \(\d+\.\d KB of 307\.2 KB\)$/);
    assert.ok(log.has('Model downloaded: 307.2 KB'));
    assert.ok(log.has(`Model checksum verified (sha256 ${MODEL_SHA256})`));
    assert.ok(log.lines.every((line) => line.level === 'info'));
    assert.deepEqual((await readdir(options.cacheDir)).sort(), [`${key}-model.bin`, `${key}-model.bin.json`]);
  });

  test('checks the sha256 published at <url>.sha256, in sha256sum format and as bare hex', async () => {
    for (const path of ['/summed/model.bin', '/bare/model.bin']) {
      const { options, log } = await setup({ url: origin.url(path) });
      const model = await resolveModel(options);
      assert.equal(model.sha256, MODEL_SHA256);
      assert.ok(log.has(`Model checksum verified (sha256 ${MODEL_SHA256})`), path);
      assert.equal(origin.seen(`${path}.sha256`).length > 0, true);
    }
  });

  test('a 404 for <url>.sha256 means no checksum is published: the download goes on, with a warning', async () => {
    const { options, log } = await setup({ url: origin.url('/model.bin') });
    const model = await resolveModel(options);
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
    const warning = log.lines.find((line) => line.msg.startsWith('No checksum published at'));
    assert.equal(warning?.level, 'warn');
    assert.match(warning.msg, new RegExp(`^No checksum published at ${origin.url('/model.bin.sha256')} \\(HTTP 404\\)`));
    assert.ok(!log.has(/Model checksum verified/));
  });

  test('retries a 500 and a connection reset with doubling backoff', async () => {
    const { options, log } = await setup({ url: origin.url('/model.bin'), sha256: MODEL_SHA256 });
    const before = origin.seen('/model.bin').length;
    origin.plan('/model.bin', 'error', 'reset');
    const model = await resolveModel(options);
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
    assert.equal(origin.seen('/model.bin').length - before, 3);
    assert.ok(log.has('Download attempt 1 failed: HTTP 500'));
    assert.ok(log.has(/^Download attempt 2 failed: connection failed: (other side closed|read ECONNRESET)$/), log.messages.join('\n'));
    assert.ok(log.has('Retrying download in 0.02 s...'));
    assert.ok(log.has('Retrying download in 0.04 s...'));
    assert.equal(log.lines.find((line) => line.msg.startsWith('Download attempt 1 failed'))?.level, 'warn');
  });

  test('a body that fails the checksum is deleted and counts as a failed attempt', async () => {
    const { options, log } = await setup({ url: origin.url('/summed/model.bin') });
    const before = origin.seen('/summed/model.bin').length;
    origin.plan('/summed/model.bin', 'corrupt');
    const model = await resolveModel(options);
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
    assert.ok(log.has(new RegExp(`^Download attempt 1 failed: checksum mismatch \\(expected ${MODEL_SHA256}, got [0-9a-f]{64}\\)$`)));
    const attempts = origin.seen('/summed/model.bin').slice(before);
    assert.equal(attempts.length, 2);
    assert.equal(attempts[1]?.range, undefined, 'the corrupt file was not resumed');
  });

  test('an attempt that stalls past downloadTimeoutMs fails, and the next one resumes', async () => {
    const { options, log } = await setup({ url: origin.url('/model.bin'), sha256: MODEL_SHA256, downloadTimeoutMs: 400 });
    const before = origin.seen('/model.bin').length;
    origin.plan('/model.bin', 'stall');
    const model = await resolveModel(options);
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
    assert.ok(log.has(/^Download attempt 1 failed: (not finished within 0\.4 s \(DOWNLOAD_TIMEOUT\)|no data for 0\.4 s)$/), log.messages.join('\n'));
    assert.equal(origin.seen('/model.bin').slice(before)[1]?.range, 'bytes=10240-');
  });

  test('a connection dropped mid-file is resumed with a Range request, and the whole file verifies', async () => {
    const { options, log } = await setup({ url: origin.url('/model.bin'), sha256: MODEL_SHA256 });
    const before = origin.seen('/model.bin').length;
    origin.plan('/model.bin', 'drop');
    const model = await resolveModel(options);
    const [first, second] = origin.seen('/model.bin').slice(before);
    assert.equal(first?.range, undefined);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(second?.range ?? '')?.[1]);
    assert.ok(resumedAt > 0 && resumedAt <= MODEL.length / 2, `resumed at ${second?.range}`);
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
    assert.equal(model.sha256, MODEL_SHA256);
    assert.ok(log.has(/^Resuming download at \d+\.\d KB$/));
    assert.ok(!(await readdir(options.cacheDir)).some((name) => name.endsWith('.partial')));
  });

  test('a server that answers a Range request with 200 is downloaded again from the start', async () => {
    const { options, log } = await setup({ url: origin.url('/model.bin'), sha256: MODEL_SHA256 });
    const before = origin.seen('/model.bin').length;
    origin.plan('/model.bin', 'drop', 'ignore-range');
    const model = await resolveModel(options);
    assert.match(origin.seen('/model.bin').slice(before)[1]?.range ?? '', /^bytes=\d+-$/);
    assert.ok(log.has('The server sent the whole file instead of the rest: starting over'));
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
    assert.equal(model.bytes, MODEL.length);
  });

  test('a 206 with the wrong Content-Range fails the attempt and the next starts over', async () => {
    const { options, log } = await setup({ url: origin.url('/model.bin'), sha256: MODEL_SHA256 });
    const before = origin.seen('/model.bin').length;
    origin.plan('/model.bin', 'drop', 'bad-range');
    const model = await resolveModel(options);
    const attempts = origin.seen('/model.bin').slice(before);
    assert.equal(attempts.length, 3);
    assert.equal(attempts[2]?.range, undefined);
    assert.ok(log.has(/^Download attempt 2 failed: the server resumed with Content-Range "bytes 0-\d+\/\d+", not at byte \d+$/));
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
  });

  test('every attempt failing rejects with a ModelSourceError naming the status, URL and attempts', async () => {
    const { options, log } = await setup({ url: origin.url('/model.bin'), sha256: MODEL_SHA256, retries: 2 });
    origin.plan('/model.bin', 'error', 'error', 'error');
    const error = await resolveModel(options).then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof ModelSourceError);
    assert.equal(error.reason, `Failed to download model: HTTP 500 from ${origin.url('/model.bin')} after 3 attempts`);
    assert.equal(error.message, error.reason);
    assert.ok(log.has('Download attempt 3 failed: HTTP 500'));
    assert.equal(log.lines.find((line) => line.msg === 'Download failed after 3 attempts')?.level, 'error');
    assert.ok(!log.has('Retrying download in 0.08 s...'), 'no retry after the last attempt');
    assert.deepEqual(await readdir(options.cacheDir), []);
  });

  test('a MODEL_SHA256 the file never matches leaves nothing usable behind', async () => {
    const wrong = 'ab'.repeat(32);
    const { options } = await setup({ url: origin.url('/model.bin'), sha256: wrong, retries: 1 });
    await assert.rejects(resolveModel(options), (error: unknown) => {
      assert.ok(error instanceof ModelSourceError);
      assert.equal(
        error.reason,
        `Failed to download model: checksum mismatch (expected ${wrong}, got ${MODEL_SHA256}) from ${origin.url('/model.bin')} after 2 attempts`,
      );
      return true;
    });
    assert.deepEqual(await readdir(options.cacheDir), []);
  });

  test('a 404 for the model itself is reported as such', async () => {
    const { options } = await setup({ url: origin.url('/missing.bin'), retries: 0 });
    await assert.rejects(resolveModel(options), {
      name: 'ModelSourceError',
      reason: `Failed to download model: HTTP 404 from ${origin.url('/missing.bin')} after 1 attempt`,
    });
  });

  test('user:password in the URL is sent as Basic auth and never logged, nor put in a reason', async () => {
    const secretUrl = origin.url('/private/model.bin').replace('//', '//alice:s3cr3t-pw@');
    const { options, log } = await setup({ url: secretUrl });
    const model = await resolveModel(options);
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
    assert.ok(origin.seen('/private/model.bin').every((request) => request.authorization?.startsWith('Basic ')));
    assert.ok(log.has(`Downloading model from ${origin.url('/private/model.bin')}`));

    const failing = await setup({ url: origin.url('/private/gone.bin').replace('//', '//alice:s3cr3t-pw@'), retries: 1 });
    const error = await resolveModel(failing.options).then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof ModelSourceError);
    const everything = [...log.lines, ...failing.log.lines].map((line) => line.raw).join('\n') + error.reason;
    assert.ok(everything.length > 0);
    for (const secret of ['s3cr3t-pw', 'alice']) assert.ok(!everything.includes(secret), `${secret} leaked`);
    const entries = [...(await readdir(options.cacheDir)), ...(await readdir(failing.options.cacheDir))];
    assert.ok(entries.every((name) => !name.includes('s3cr3t')));
  });

  test('a query (a presigned URL\'s signature) is fetched but never logged, nor put in a reason', async () => {
    const { options, log } = await setup({ url: `${origin.url('/signed/gone.bin')}?X-Amz-Signature=d3adb33f&X-Amz-Expires=60`, retries: 0 });
    const error = await resolveModel(options).then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof ModelSourceError);
    assert.equal(error.reason, `Failed to download model: HTTP 404 from ${origin.url('/signed/gone.bin')}?… after 1 attempt`);
    assert.ok(log.has(`Downloading model from ${origin.url('/signed/gone.bin')}?…`));
    assert.ok(!log.lines.map((line) => line.raw).join('\n').includes('d3adb33f'));
  });
});

describe('cache', () => {
  test('a restart uses the verified cache entry without any request, even with the server gone', async () => {
    const restartOrigin = await ModelOrigin.start();
    restartOrigin.serve('/model.bin', MODEL);
    restartOrigin.serve('/model.bin.sha256', `${MODEL_SHA256}  model.bin\n`);
    const { options } = await setup({ url: restartOrigin.url('/model.bin') });
    const first = await resolveModel(options);
    await restartOrigin.close();

    const restart = new CapturedLog();
    const second = await resolveModel({ ...options, logger: restart.logger });
    assert.deepEqual(second, { path: first.path, sha256: MODEL_SHA256, bytes: MODEL.length, fromCache: true });
    assert.deepEqual(restart.messages, [`Using cached model ${first.path}`]);

    // A MODEL_SHA256 the cached file does not have is not taken from the cache (and the server is gone).
    await assert.rejects(resolveModel({ ...options, sha256: 'cd'.repeat(32), retries: 0, logger: restart.logger }), ModelSourceError);
    // A manifest whose file is gone (or cut short) is no entry.
    await writeFile(first.path, MODEL.subarray(0, 1000));
    await assert.rejects(resolveModel({ ...options, retries: 0, logger: restart.logger }), ModelSourceError);
  });

  test('two workers on one cache directory download once and get the same verified file', async () => {
    const { options, log } = await setup({ url: origin.url('/summed/model.bin') });
    const other = new CapturedLog();
    const before = origin.fullGets('/summed/model.bin');
    origin.plan('/summed/model.bin', 'slow');
    const [a, b] = await Promise.all([resolveModel(options), resolveModel({ ...options, logger: other.logger })]);
    assert.equal(origin.fullGets('/summed/model.bin') - before, 1);
    assert.equal(a.path, b.path);
    assert.equal(sha256(await readFile(a.path)), MODEL_SHA256);
    assert.deepEqual([a.fromCache, b.fromCache].sort(), [false, true]);
    const waiter = a.fromCache ? log : other;
    assert.ok(waiter.has(/^Waiting for another worker to finish the model download \(.+\.lock\)$/), waiter.messages.join('\n'));
    assert.ok(waiter.has(`Using cached model ${a.path}`));
  });

  test("a stale lock left by a dead worker is taken over", async () => {
    const url = origin.url('/model.bin');
    const { options, log } = await setup({ url, sha256: MODEL_SHA256 });
    const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
    const lock = join(options.cacheDir, `${key}-model.bin.lock`);
    await mkdir(lock);
    const anHourAgo = new Date(Date.now() - 3600_000);
    await utimes(lock, anHourAgo, anHourAgo);
    const model = await resolveModel(options);
    assert.ok(!log.has(/^Waiting for another worker/), 'the stale lock was taken over, not waited on');
    assert.equal(sha256(await readFile(model.path)), MODEL_SHA256);
  });
});

describe('archives', () => {
  for (const kind of ['tar.gz', 'tar.bz2', 'zip'] as const) {
    test(`a .${kind} is unpacked into the cache and its one top-level folder returned`, async () => {
      const { options, log } = await setup({ url: origin.url(`/model.${kind}`) });
      const model = await resolveModel(options);
      assert.equal(basename(model.path), ARCHIVE_FOLDER);
      assert.ok(model.path.startsWith(options.cacheDir));
      assert.equal(await readFile(join(model.path, 'tokens.txt'), 'utf8'), TOKENS);
      assert.ok((await readFile(join(model.path, 'model.int8.onnx'))).equals(modelOnnx));
      assert.equal(model.sha256, sha256(archives[kind]));
      assert.ok(log.has('Unpacking model archive'));
      const names = await readdir(options.cacheDir);
      assert.ok(!names.some((name) => name.endsWith(`.${kind}`)), `the archive is deleted once unpacked: ${names.join(', ')}`);
      assert.ok(!names.some((name) => name.endsWith('.tmp')));

      const again = await resolveModel({ ...options, logger: new CapturedLog().logger });
      assert.deepEqual(again, { ...model, fromCache: true });
    });
  }

  test('an archive whose name does not say so is recognised by its first bytes', async () => {
    const { options } = await setup({ url: origin.url('/archive-without-suffix') });
    const model = await resolveModel(options);
    assert.equal(basename(model.path), ARCHIVE_FOLDER);
    assert.equal(await readFile(join(model.path, 'tokens.txt'), 'utf8'), TOKENS);
  });

  test('an archive of several top-level files returns the unpacked folder itself', async () => {
    const { options } = await setup({ url: origin.url('/flat.zip') });
    const model = await resolveModel(options);
    assert.match(basename(model.path), /^[0-9a-f]{16}-flat\.zip\.unpacked$/);
    assert.deepEqual((await readdir(model.path)).sort(), ['model.int8.onnx', 'tokens.txt']);
  });

  test('an archive bsdtar cannot read is a ModelSourceError, and no half-unpacked folder remains', async () => {
    const { options } = await setup({ url: origin.url('/broken.tar.gz') });
    await assert.rejects(resolveModel(options), (error: unknown) => {
      assert.ok(error instanceof ModelSourceError);
      assert.match(error.reason, /^Model archive could not be unpacked: bsdtar exited with code 1: .+/);
      return true;
    });
    const names = await readdir(options.cacheDir);
    assert.ok(!names.some((name) => name.includes('.unpacked') || name.endsWith('.json') || name.endsWith('.tar.gz')), names.join(', '));
  });
});

describe('local models', () => {
  test('a file: URL is verified and used in place', async () => {
    const file = join(work, 'local-model.bin');
    await writeFile(file, MODEL);
    const { options, log } = await setup({ url: pathToFileURL(file).href, sha256: MODEL_SHA256 });
    const model = await resolveModel(options);
    assert.deepEqual(model, { path: file, sha256: MODEL_SHA256, bytes: MODEL.length, fromCache: false });
    assert.ok(log.has(`Model checksum verified (sha256 ${MODEL_SHA256})`));
    assert.deepEqual(await readdir(options.cacheDir), []);

    await assert.rejects(resolveModel({ ...options, sha256: 'ef'.repeat(32) }), {
      name: 'ModelSourceError',
      reason: `Model checksum mismatch: expected ${'ef'.repeat(32)}, got ${MODEL_SHA256} (${file})`,
    });
  });

  test('a file: URL or MODEL_PATH that does not exist is "Model file not found"', async () => {
    const missing = join(work, 'nowhere', 'model.bin');
    const { options } = await setup();
    await assert.rejects(resolveModel({ ...options, url: pathToFileURL(missing).href }), { name: 'ModelSourceError', reason: `Model file not found: ${missing}` });
    await assert.rejects(resolveModel({ ...options, path: missing }), { name: 'ModelSourceError', reason: `Model file not found: ${missing}` });
  });

  test('a file: URL archive is unpacked into the cache once', async () => {
    const { options } = await setup({ url: pathToFileURL(join(work, 'model.tar.bz2')).href });
    const model = await resolveModel(options);
    assert.equal(basename(model.path), ARCHIVE_FOLDER);
    assert.ok(model.path.startsWith(options.cacheDir));
    assert.equal(await readFile(join(model.path, 'tokens.txt'), 'utf8'), TOKENS);
    const again = await resolveModel(options);
    assert.deepEqual(again, { ...model, fromCache: true });
  });

  test('MODEL_PATH is used as it is, a file or a folder', async () => {
    const folder = join(work, 'source', ARCHIVE_FOLDER);
    const { options } = await setup();
    assert.deepEqual(await resolveModel({ ...options, path: folder }), { path: folder, bytes: TOKENS.length + modelOnnx.length, fromCache: false });
    const file = join(folder, 'tokens.txt');
    assert.deepEqual(await resolveModel({ ...options, path: file, sha256: sha256(Buffer.from(TOKENS)) }), {
      path: file,
      sha256: sha256(Buffer.from(TOKENS)),
      bytes: TOKENS.length,
      fromCache: false,
    });
    assert.deepEqual(await readdir(options.cacheDir), []);
  });

  test('a URL of another scheme is refused with a ModelSourceError', async () => {
    const { options } = await setup({ url: 'ftp://127.0.0.1/model.bin' });
    await assert.rejects(resolveModel(options), { name: 'ModelSourceError', reason: 'MODEL_URL must be http:, https: or file:, not ftp:' });
  });
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
