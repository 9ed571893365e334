import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelCatalog } from '@stt/api-server';
import { ApiError, workerInfoSchema, type WorkerInfo } from '@stt/shared';

/** A registry entry as a worker publishes it, validated by the same schema the API server reads it with. */
function worker(id: string, fields: Partial<WorkerInfo>): WorkerInfo {
  const now = new Date().toISOString();
  return workerInfoSchema.parse({
    id,
    address: `http://127.0.0.1:${2000 + id.length}`,
    pid: 1,
    engine: 'pocketsphinx',
    model: 'en-us',
    capacity: 1,
    active_requests: 0,
    active_streams: 0,
    status: 'ready',
    self_test_at: now,
    heartbeat_at: now,
    started_at: now,
    ...fields,
  });
}

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('the model catalog routes a request to a model its workers serve', () => {
  const catalog = new ModelCatalog();
  catalog.update([
    worker('ps-1', {}),
    worker('ps-2', {}),
    worker('wh-1', { engine: 'whisper', model: 'ggml-base', languages: ['de', 'en', 'fr'], streaming: 'vad-chunked' }),
    worker('wh-2', { engine: 'whisper', model: 'ggml-small', languages: ['de', 'en'], status: 'unhealthy', reason: 'Model check failed' }),
  ]);

  test('lists each model once, with its engine, languages and worker counts', () => {
    assert.deepEqual(
      catalog.models.map(({ model, engine, languages, workers_live, workers_ready }) => ({ model, engine, languages, workers_live, workers_ready })),
      [
        { model: 'en-us', engine: 'pocketsphinx', languages: ['en'], workers_live: 2, workers_ready: 2 },
        { model: 'ggml-base', engine: 'whisper', languages: ['de', 'en', 'fr'], workers_live: 1, workers_ready: 1 },
        { model: 'ggml-small', engine: 'whisper', languages: ['de', 'en'], workers_live: 1, workers_ready: 0 },
      ],
    );
  });

  test('without a model: the language picks, the model with most ready workers wins', () => {
    assert.equal(catalog.choose({ language: 'en' }), 'en-us');
    assert.equal(catalog.choose({ language: 'fr' }), 'ggml-base');
  });

  test('a named model is used when it serves the language', () => {
    assert.equal(catalog.choose({ model: 'ggml-base', language: 'de' }), 'ggml-base');
  });

  test('an unknown model is a 400 that lists the models served', () => {
    const error = refusal(() => catalog.choose({ model: 'large-v3', language: 'en' }));
    assert.equal(error.code, 'INVALID_PARAMETER');
    assert.deepEqual(error.toBody('req_1').supported_models, ['en-us', 'ggml-base', 'ggml-small']);
    assert.equal(error.toBody('req_1').parameter, 'model');
  });

  test('a language the named model does not speak is UNSUPPORTED_LANGUAGE with that model\'s languages', () => {
    const error = refusal(() => catalog.choose({ model: 'en-us', language: 'de' }));
    assert.equal(error.code, 'UNSUPPORTED_LANGUAGE');
    assert.deepEqual(error.toBody('req_1').supported_languages, ['en']);
  });

  test('a language no ready model speaks is UNSUPPORTED_LANGUAGE with every ready language', () => {
    const error = refusal(() => catalog.choose({ language: 'ja' }));
    assert.deepEqual(error.toBody('req_1').supported_languages, ['de', 'en', 'fr']);
  });

  test('a known model with no ready worker is a 503 naming it', () => {
    const error = refusal(() => catalog.choose({ model: 'ggml-small', language: 'de' }));
    assert.equal(error.code, 'SERVICE_UNAVAILABLE');
    assert.match(error.message, /ggml-small/);
  });

  test('a worker that predates the capability fields counts as English with native streaming', () => {
    const legacy = workerInfoSchema.parse({ ...worker('old', {}), languages: undefined, streaming: undefined });
    assert.deepEqual(legacy.languages, ['en']);
    assert.equal(legacy.streaming, 'native');
  });
});
