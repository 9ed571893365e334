import assert from 'node:assert/strict';
import { SttClient } from '@stt/client';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ComposeProject } from './support/compose-project.js';
import {
  buildImages,
  imageName,
  imageSizes,
  IMAGE_PREFIX,
  REDIS_IMAGE,
  SERVICE_IMAGES,
  STT_VERSION,
} from './support/container-images.js';
import { DockerEngine } from './support/docker-engine.js';
import { freePort } from './support/free-port.js';
import { request, waitFor } from './support/http.js';
import { requestHead, SlowClient } from './support/slow-client.js';
import { GOFORWARD_RAW, goforwardWav } from './support/speech-corpus.js';
import { StreamClient } from './support/stream-client.js';

const run = promisify(execFile);

const COMPOSE_SERVICES = ['redis', 'license-proxy', 'lightning-asr-1', 'lightning-asr-2', 'api-server'];

/** The health-check page's "Automated Testing" step, verbatim but for the address. */
const SEED_CI_WAIT_LOOP = `for i in {1..30}; do
  if curl -f http://api.example.com/health; then
    echo "Service is healthy"
    exit 0
  fi
  sleep 10
done
echo "Service failed to become healthy"
exit 1`;

describe('containers: the images, docker-compose and the health-check page’s examples', () => {
  const work = mkdtempSync(join(tmpdir(), 'stt-containers-'));
  let engine: DockerEngine;
  let project: ComposeProject;
  let apiUrl = '';
  let licenseKey = '';

  before(
    async () => {
      engine = await DockerEngine.start();
      const started = Date.now();
      await buildImages(engine, work);
      process.stdout.write(`containers: base image and builds took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    },
    { timeout: 1_200_000 },
  );

  after(async () => {
    await project?.remove();
    await engine?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('every service image: non-root, tini as PID 1, a HEALTHCHECK with curl, production dependencies only', async () => {
    for (const service of SERVICE_IMAGES) {
      const image = imageName(service);
      const { stdout } = await engine.docker(['image', 'inspect', '--format', '{{json .Config}}', image]);
      const config = JSON.parse(stdout) as { User: string; Entrypoint: string[]; Healthcheck?: { Test: string[] } };
      assert.equal(config.User, 'stt', `${image} runs as the stt user`);
      assert.equal(config.Entrypoint[0], '/usr/bin/tini', `${image} has tini as PID 1`);
      assert.match(config.Healthcheck?.Test.join(' ') ?? '', /curl -fsS .*\/health/, `${image} has a HEALTHCHECK`);
      const inside = await engine.docker([
        'run', '--rm', '--entrypoint', 'sh', image, '-c',
        'id -u; curl --version | head -n 1; test ! -e node_modules/typescript && test ! -e node_modules/tsx && echo no-dev-dependencies',
      ]);
      const [uid, curl, production] = inside.stdout.trim().split('\n');
      assert.notEqual(uid, '0', `${image} does not run as root`);
      assert.match(curl ?? '', /^curl /, `${image} has curl`);
      assert.equal(production, 'no-dev-dependencies', `${image} carries production dependencies only`);
    }
    const sizes = await imageSizes(engine);
    process.stdout.write(`containers: image sizes ${[...sizes].map(([service, mb]) => `${service} ${mb} MB`).join(', ')}\n`);
  });

  test('the worker image carries PocketSphinx with its en-us model, ffmpeg and the self-test clip; the API server image ffmpeg', async () => {
    const worker = await engine.docker([
      'run', '--rm', '--entrypoint', 'sh', imageName('lightning-asr'), '-c',
      `ls /usr/share/pocketsphinx/model/en-us; ls /usr/lib/x86_64-linux-gnu | grep -c "^libpocketsphinx.so.3$"; ffmpeg -version | head -n 1; test -s ${GOFORWARD_RAW} && echo self-test-clip`,
    ]);
    const lines = worker.stdout.trim().split('\n');
    for (const file of ['en-us', 'en-us.lm.bin', 'cmudict-en-us.dict']) assert.ok(lines.includes(file), `model file ${file}`);
    assert.ok(lines.includes('1'), 'libpocketsphinx.so.3');
    assert.ok(lines.some((line) => line.startsWith('ffmpeg version ')), 'ffmpeg');
    assert.equal(lines.at(-1), 'self-test-clip');
    const api = await engine.docker(['run', '--rm', '--entrypoint', 'ffmpeg', imageName('api-server'), '-version']);
    assert.match(api.stdout, /^ffmpeg version /);
  });

  test('the license-proxy image’s CLI makes a signing key pair and a license key for .env', async () => {
    const keys = join(work, 'keys');
    mkdirSync(keys);
    const user = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
    const volume = `${keys}:/keys`;
    const publicKey = (await engine.docker(['run', '--rm', '--user', user, '-v', volume, imageName('license-proxy'), 'keygen', '--out', '/keys'])).stdout.trim();
    assert.equal(readFileSync(join(keys, 'signing.pub'), 'utf8').trim(), publicKey);
    licenseKey = (
      await engine.docker(['run', '--rm', '--user', user, '-v', volume, imageName('license-proxy'), 'issue', '--signing-key', '/keys/signing.key', '--customer', 'compose-test', '--days', '2'])
    ).stdout.trim();
    assert.match(licenseKey, /^stl1\./);
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    project = new ComposeProject(engine, {
      LICENSE_KEY: licenseKey,
      LICENSE_PUBLIC_KEYS: publicKey,
      IMAGE_PREFIX,
      STT_VERSION,
      REDIS_IMAGE,
      API_SERVER_PUBLISHED_PORT: String(port),
    });
  });

  test('docker-compose up -d: the health-check page’s CI wait loop passes and every service becomes (healthy)', { timeout: 600_000 }, async () => {
    const started = Date.now();
    await project.compose(['up', '-d']);
    const waitLoop = await run('bash', ['-c', SEED_CI_WAIT_LOOP.replace('http://api.example.com/health', `${apiUrl}/health`)], { timeout: 330_000 });
    assert.match(waitLoop.stdout, /Service is healthy$/m);
    const states = await project.allHealthy(COMPOSE_SERVICES);
    process.stdout.write(
      `containers: docker-compose up -d to every service (healthy) took ${((Date.now() - started) / 1000).toFixed(0)} s (${states.map((s) => `${s.service} ${s.health}`).join(', ')})\n`,
    );
    const health = await request(`${apiUrl}/health?detailed=true`);
    assert.equal(health.status, 200);
    assert.deepEqual(health.json.components, { api_server: 'healthy', lightning_asr: 'healthy', license_proxy: 'healthy', redis: 'healthy' });
    assert.equal(health.json.details.lightning_asr.workers_ready, 2, 'both workers registered');
  });

  test('a batch transcription and a live stream through the published port', async () => {
    const auth = { Authorization: `Token ${licenseKey}` };
    const wav = readFileSync(goforwardWav(work));
    // Through the typed client, as an application would call the published port.
    const batch = await new SttClient({ baseUrl: apiUrl, apiKey: licenseKey }).transcribe(wav);
    assert.match(batch.text, /go forward ten meters/i);

    const stream = await StreamClient.open(`${apiUrl.replace('http', 'ws')}/v1/listen/stream`, auth);
    await stream.sendAudio(readFileSync(GOFORWARD_RAW), { frameBytes: 3200 });
    stream.send({ type: 'close_stream' });
    assert.equal((await stream.closed).code, 1000);
    const words = stream.finals().map((final) => final.transcript).join(' ');
    assert.match(words, /go forward ten meters/i);
    process.stdout.write(`containers: memory after a batch request and a live stream: ${await project.memoryUse()}\n`);
  });

  test('a worker whose process is killed is restarted by its restart policy and serves again', { timeout: 300_000 }, async () => {
    await project.killService('lightning-asr-1');
    await waitFor('Docker to see the worker die', async () => ((await project.containers()).find((state) => state.service === 'lightning-asr-1')?.restarts === 1 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const states = await project.allHealthy(COMPOSE_SERVICES, 120_000);
    assert.equal(states.find((state) => state.service === 'lightning-asr-1')?.restarts, 1, 'restarted once by Docker');
    const health = await waitFor('both workers ready again', async () => {
      const answer = await request(`${apiUrl}/health?detailed=true`);
      return answer.json?.details?.lightning_asr?.workers_ready === 2 ? answer : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    assert.equal(health.status, 200);
  });

  test('Redis SIGKILLed and its container replaced keeps its data (append-only file on the volume); the stack heals', { timeout: 300_000 }, async () => {
    const redisCli = (...args: string[]) => project.compose(['exec', '-T', 'redis', 'redis-cli', ...args]).then((output) => output.stdout.trim());
    // Redis writes the append-only file before it replies: a SIGKILL (unlike a power cut) loses nothing after the OK.
    assert.equal(await redisCli('SET', 'compose-test:marker', 'kept'), 'OK');
    // No shutdown, so no snapshot on the way out; a new container, so only the volume carries the data.
    await project.compose(['kill', '-s', 'SIGKILL', 'redis']);
    await project.compose(['rm', '-f', 'redis']);
    await project.compose(['up', '-d', 'redis']);
    assert.equal(await waitFor('Redis back', async () => ((await redisCli('PING')) === 'PONG' ? true : undefined)), true);
    assert.equal(await redisCli('GET', 'compose-test:marker'), 'kept');
    const healed = await waitFor('health to heal', async () => {
      const health = await request(`${apiUrl}/health`);
      return health.status === 200 ? health : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    assert.deepEqual(healed.json, { status: 'healthy' });
  });

  test('both workers stopped: 503 No ASR workers available; started again: healthy, no other service restarted', { timeout: 300_000 }, async () => {
    const othersBefore = (await project.containers()).filter((state) => !state.service.startsWith('lightning-asr'));
    await project.compose(['stop', 'lightning-asr-1', 'lightning-asr-2']);
    const down = await waitFor('health to say no workers', async () => {
      const health = await request(`${apiUrl}/health`);
      return health.status === 503 ? health : undefined;
    });
    assert.deepEqual(down.json, { status: 'unhealthy', reason: 'No ASR workers available' });
    await project.compose(['start', 'lightning-asr-1', 'lightning-asr-2']);
    const healed = await waitFor('health to heal', async () => {
      const health = await request(`${apiUrl}/health`);
      return health.status === 200 ? health : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    assert.deepEqual(healed.json, { status: 'healthy' });
    const othersAfter = (await project.containers()).filter((state) => !state.service.startsWith('lightning-asr'));
    assert.deepEqual(othersAfter.map((state) => [state.service, state.startedAt]), othersBefore.map((state) => [state.service, state.startedAt]));
  });

  test('docker-compose down drains: a request in flight is answered, then every container exits 0 before its stop timeout', { timeout: 300_000 }, async () => {
    const wav = readFileSync(goforwardWav(work));
    const half = Math.floor(wav.length / 2);
    const client = await SlowClient.open(apiUrl);
    client.write(requestHead('POST', '/v1/listen', { Authorization: `Token ${licenseKey}`, 'Content-Type': 'audio/wav', 'Content-Length': wav.length }));
    client.write(wav.subarray(0, half));

    const since = Math.floor(Date.now() / 1000);
    const down = project.compose(['down']);
    // The API server goes first (the others depend on it): once it says it drains, the rest of the body.
    await waitFor('the API server to drain', async () => ((await project.logs('api-server')).includes('Draining: refusing new work') ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    client.write(wav.subarray(half));
    const answer = await client.answer(60_000);
    assert.equal(answer?.status, 200, answer?.text);
    assert.match(answer?.json.text, /go forward ten meters/i);
    await down;

    const events = await engine.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'event=die', '--format', '{{index .Actor.Attributes "com.docker.compose.service"}} {{.Actor.Attributes.exitCode}}']);
    const exits = new Map(events.stdout.trim().split('\n').map((line) => line.split(' ') as [string, string]));
    assert.deepEqual(Object.fromEntries([...exits].sort()), Object.fromEntries(COMPOSE_SERVICES.map((service) => [service, '0']).sort()));
  });
});
