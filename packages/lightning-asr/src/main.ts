#!/usr/bin/env node
import { closeWithin, createLogger, createRedis, listenOn, onShutdownSignal, RedisKeys, runMain, VERSION } from '@stt/shared';
import { loadConfig } from './config.js';
import { loadSpeakerEvidenceExtractor } from './diarization/load-speaker-evidence-extractor.js';
import { loadConfiguredEngine } from './engine/load-configured-engine.js';
import { TranscriptionConsumer } from './jobs/transcription-consumer.js';
import { AsrMetrics } from './metrics.js';
import { WorkerRegistration } from './registry/worker-registration.js';
import { SelfTest } from './self-test.js';
import { readSelfTestClip } from './self-test-clip.js';
import { buildServer } from './server.js';
import { WorkerState } from './worker-state.js';

runMain('lightning-asr', async () => {
  const config = loadConfig();
  const logger = createLogger('lightning-asr', config.LOG_LEVEL).child({ worker_id: config.workerId });
  logger.info(`Starting Lightning ASR v${VERSION}`);
  const clip = await readSelfTestClip(config.ASR_SELF_TEST_AUDIO);

  const state = new WorkerState({ id: config.workerId, address: config.advertiseUrl, startedAt: new Date(), engine: config.ASR_ENGINE });
  const metrics = new AsrMetrics(state);
  const app = buildServer(state, metrics, logger);
  const redis = createRedis(config.REDIS_URL, logger);
  const keys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const registration = new WorkerRegistration(
    redis,
    keys,
    () => state.toWorkerInfo(),
    { intervalMs: config.ASR_HEARTBEAT_INTERVAL_MS, ttlMs: config.ASR_HEARTBEAT_TTL_MS },
    logger,
  );
  let selfTest: SelfTest | undefined;
  let consumer: TranscriptionConsumer | undefined;
  onShutdownSignal(async () => {
    logger.info('Draining: finishing active work before exit');
    state.startDraining();
    selfTest?.stop();
    await registration.beat();
    // Stop pulling segments; those in progress finish (or, past the drain timeout, are left to
    // expire their locks and be picked up by another worker).
    const finished = consumer?.close();
    const deadline = Date.now() + config.DRAIN_TIMEOUT_S * 1000;
    while (state.activeRequests + state.activeStreams > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (state.activeRequests === 0) await closeWithin('The job queue', finished, logger);
    await registration.deregister(config.workerId);
    await app.close();
    redis.disconnect();
    return 0;
  });

  // Listen first so /health answers "loading" while the model downloads and loads.
  await listenOn(app, { variable: 'ASR_PORT', port: config.ASR_PORT, host: config.ASR_HOST });
  if (config.GPU_DEVICE_ID !== undefined) logger.info(`GPU requested: device ${config.GPU_DEVICE_ID}`);
  let engine;
  let speakerEvidence;
  try {
    engine = await loadConfiguredEngine(config, logger);
    speakerEvidence = await loadSpeakerEvidenceExtractor(config, logger, engine.capacity);
  } catch (error) {
    // A model that cannot be had is reported, not retried by crashing: the process stays up,
    // unhealthy with the reason in /health and the registry, until the operator fixes it.
    const reason = error instanceof Error ? error.message : String(error);
    logger.error(reason);
    state.fail(reason);
    registration.start();
    return;
  }
  logger.info({ engine: engine.name, model: engine.model, decoders: engine.capacity, gpu: engine.gpu }, 'Model loaded successfully');
  selfTest = new SelfTest(engine, clip, config.ASR_SELF_TEST_EXPECTED, logger);
  state.attach(engine, selfTest);
  const jobs = new TranscriptionConsumer(engine, speakerEvidence, redis, keys, state, metrics, logger, {
    redisUrl: config.REDIS_URL,
    lockDurationMs: config.ASR_JOB_LOCK_MS,
  });
  consumer = jobs;
  // Pull work only while the self-test passes, and tell the registry at once when that changes.
  selfTest.onVerdictChange((passed) => {
    if (passed) jobs.start();
    else void jobs.pause();
    void registration.beat();
  });
  const warmup = await selfTest.run();
  registration.start();
  selfTest.start(config.ASR_SELF_TEST_INTERVAL_S * 1000);
  if (warmup.passed) {
    logger.info(`Warmup completed in ${(warmup.durationMs / 1000).toFixed(1)}s`);
    logger.info(`Server ready on port ${config.ASR_PORT}`);
  } else {
    logger.error(`Not ready: the self-test failed; retrying every ${config.ASR_SELF_TEST_INTERVAL_S} s`);
  }
});
