import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listenLocally, request } from './support/http.js';
import { concatenatedLibrivox, convert, GOFORWARD_RAW, goforwardWav, librivoxClips, pocketsphinxBatch, setWer } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';

describe('batch transcription of real speech', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-audio-'));
  let stack: TestStack;
  let files: Server;
  let filesUrl: string;
  let goforward: string;
  const auth = () => ({ authorization: `Token ${stack.licenseKey}` });
  const listen = (body: RequestInit['body'], query = '', headers: Record<string, string> = {}) =>
    request(`${stack.apiUrl}/v1/listen${query}`, { method: 'POST', body, headers: { ...auth(), ...headers }, timeoutMs: 120_000 });
  const upload = (file: string, fields: Record<string, string> = {}, query = '') => {
    const form = new FormData();
    form.set('audio', new Blob([readFileSync(file)]), file.split('/').pop());
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    return listen(form, query);
  };

  before(async () => {
    goforward = goforwardWav(dir);
    files = createServer((req, res) => {
      try {
        res.end(readFileSync(join(dir, (req.url ?? '/').slice(1))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    filesUrl = await listenLocally(files);
    stack = await TestStack.start({ workers: 2, apiEnv: { URL_FETCH_ALLOWED_HOSTS: '127.0.0.1' } });
    await stack.healthy();
  });
  after(async () => {
    await stack.stop();
    files.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a multipart upload comes back as punctuated text, with the contract body', async () => {
    const { status, json } = await upload(goforward);
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.text, 'Go forward ten meters.');
    assert.match(json.request_id, /^req_/);
    assert.equal(json.language, 'en');
    assert.ok(Math.abs(json.duration - readFileSync(GOFORWARD_RAW).length / 32000) < 0.01, `duration ${json.duration}`);
    assert.ok(json.confidence > 0 && json.confidence <= 1);
    assert.equal(json.words, undefined, 'words only when timestamps=true');
    assert.equal(json.metadata.engine, 'pocketsphinx');
    assert.equal(json.metadata.model, 'en-us');
    assert.equal(typeof json.metadata.processing_time_ms, 'number');
    assert.equal(typeof json.metadata.rtf, 'number');
  });

  test('timestamps=true: words with monotone times inside the audio and confidences in 0..1', async () => {
    const { json } = await upload(goforward, { timestamps: 'true', punctuate: 'false' });
    assert.equal(json.text, 'go forward ten meters', 'options after the file are read too');
    assert.deepEqual(json.words.map((word: { word: string }) => word.word), ['go', 'forward', 'ten', 'meters']);
    let previousEnd = 0;
    for (const word of json.words) {
      assert.ok(word.start >= previousEnd - 1e-9 && word.end > word.start && word.end <= json.duration + 1e-9, JSON.stringify(word));
      assert.ok(word.confidence >= 0 && word.confidence <= 1);
      previousEnd = word.end;
    }
  });

  test('raw bytes as the body, options in the query', async () => {
    const { status, json } = await listen(readFileSync(goforward), '?punctuate=false', { 'content-type': 'audio/wav' });
    assert.equal(status, 200);
    assert.equal(json.text, 'go forward ten meters');
  });

  test('JSON {"url"} fetched from an allowed local server', async () => {
    const { status, json } = await listen(JSON.stringify({ url: `${filesUrl}/goforward.wav`, punctuate: false }), '', { 'content-type': 'application/json' });
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.text, 'go forward ten meters');
  });

  test('every container: MP3, FLAC, OGG, M4A, and stereo 44.1 kHz WAV', async () => {
    const variants = [
      convert(goforward, join(dir, 'gf.mp3'), '-b:a', '128k'),
      convert(goforward, join(dir, 'gf.flac')),
      convert(goforward, join(dir, 'gf.ogg'), '-c:a', 'libvorbis', '-q:a', '6'),
      convert(goforward, join(dir, 'gf.m4a'), '-c:a', 'aac', '-b:a', '128k'),
      convert(goforward, join(dir, 'gf-44k-stereo.wav'), '-ar', '44100', '-ac', '2'),
      convert(goforward, join(dir, 'gf-float.wav'), '-c:a', 'pcm_f32le', '-ar', '22050'),
    ];
    for (const file of variants) {
      const { status, json } = await upload(file, { punctuate: 'false' });
      assert.equal(status, 200, `${file}: ${JSON.stringify(json)}`);
      assert.equal(json.text, 'go forward ten meters', file);
    }
  });

  test('word error rate over the LibriVox clips is no worse than pocketsphinx_batch on the same audio', async () => {
    const clips = librivoxClips();
    const baseline = pocketsphinxBatch(clips);
    const ours: { reference: string; hypothesis: string }[] = [];
    const theirs: { reference: string; hypothesis: string }[] = [];
    for (const clip of clips) {
      const { json } = await upload(clip.wav, { punctuate: 'false' });
      ours.push({ reference: clip.reference, hypothesis: json.text });
      theirs.push({ reference: clip.reference, hypothesis: baseline.get(clip.id) ?? '' });
    }
    const [oursWer, batchWer] = [setWer(ours), setWer(theirs)];
    assert.ok(oursWer <= batchWer + 1e-9, `ours ${oursWer.toFixed(3)} vs pocketsphinx_batch ${batchWer.toFixed(3)}`);
  });

  test('long audio is split at silences, decoded in parallel and joined in order with correct times', async () => {
    const long = concatenatedLibrivox(dir, 3);
    const { status, json } = await upload(long.wav, { timestamps: 'true', punctuate: 'false' });
    assert.equal(status, 200, JSON.stringify(json));
    assert.ok(json.metadata.segments >= 3, `${json.metadata.segments} segments`);
    const expected = 3 * librivoxClips().reduce((sum, clip) => sum + (readFileSync(clip.wav).length - 44) / 32000, 0);
    assert.ok(Math.abs(json.duration - expected) < 0.01, `duration ${json.duration}, expected ${expected}`);
    let previousEnd = 0;
    for (const word of json.words) {
      assert.ok(word.start >= previousEnd - 1e-9 && word.end <= json.duration + 1e-9);
      previousEnd = word.end;
    }
    const wer = setWer([{ reference: long.reference, hypothesis: json.text }]);
    assert.ok(wer < 0.35, `WER of the long file ${wer.toFixed(3)}`);
  });

  test('the cloud-compatible aliases answer in the cloud shape', async () => {
    for (const path of ['/api/v1/lightning/get_text', '/waves/v1/pulse/get_text']) {
      const result = await request(`${stack.apiUrl}${path}?word_timestamps=true`, {
        method: 'POST',
        body: readFileSync(goforward),
        headers: { ...auth(), 'content-type': 'application/octet-stream' },
        timeoutMs: 60_000,
      });
      assert.equal(result.status, 200, path);
      assert.equal(result.json.status, 'success');
      assert.equal(result.json.transcription, 'Go forward ten meters.');
      assert.equal(result.json.words.length, 4);
      assert.equal(result.json.utterances.length, 1);
      assert.equal(result.json.metadata.fileSize, readFileSync(goforward).length);
    }
  });

  test('nothing of a request is left in Redis afterwards', async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(stack.redis.url);
    try {
      assert.deepEqual(await redis.keys('stt:audio:*'), []);
      assert.deepEqual(await redis.keys('stt:bull:transcription.en-us:job_*'), [], 'no finished jobs kept');
    } finally {
      redis.disconnect();
    }
  });
});
