import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request, waitFor } from './support/http.js';
import { clipsWithPauses, wordErrors } from './support/speech-corpus.js';
import { StreamClient, StreamRefused } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

const BYTES_PER_SECOND_16K = 32_000;

/** The words of all finals, in order. */
function finalText(client: StreamClient): string {
  return client
    .finals()
    .map((message) => String(message.transcript))
    .join(' ');
}

/** Raw audio in another encoding or rate, made by ffmpeg from 16 kHz linear16. */
function transcode(pcm: Buffer, ...output: string[]): Buffer {
  return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 's16le', '-ar', '16000', '-ac', '1', '-i', '-', ...output, '-'], { input: pcm, maxBuffer: 1 << 28 });
}

describe('live transcription over WebSocket', () => {
  let stack: TestStack;
  let dir: string;
  let speech: ReturnType<typeof clipsWithPauses>;
  let batchText: string;
  const streamUrl = (query = ''): string => `${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream${query}`;
  const auth = (): Record<string, string> => ({ authorization: `Token ${stack.licenseKey}` });

  before(async () => {
    stack = await TestStack.start({ workers: 1 });
    await stack.healthy();
    dir = mkdtempSync(join(tmpdir(), 'stt-stream-'));
    speech = clipsWithPauses(dir, 3);
    const batch = await request(`${stack.apiUrl}/v1/listen?punctuate=false`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'audio/wav' },
      body: readFileSync(speech.wav),
      timeoutMs: 120_000,
    });
    assert.equal(batch.status, 200);
    batchText = batch.json.text;
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The finals are as accurate as the batch endpoint on the same audio, within 5 points of word
   * error rate against the reference: the live session decodes each utterance on its own, the
   * batch endpoint the whole file, so their words differ here and there (some 10–15 %), and
   * neither is the more right one throughout.
   */
  function assertAsAccurateAsBatch(streamText: string): void {
    const stream = wordErrors(speech.reference, streamText);
    const batch = wordErrors(speech.reference, batchText);
    const differences = wordErrors(batchText, streamText);
    const figures = `WER stream ${(stream.errors / stream.words).toFixed(3)}, batch ${(batch.errors / batch.words).toFixed(3)}; ${differences.errors} of ${differences.words} words differ`;
    console.log(`stream vs batch: ${figures}`);
    assert.ok(stream.errors / stream.words <= batch.errors / batch.words + 0.05, figures);
  }

  /** Streams `audio`, closes the stream, and returns the client once the server has closed. */
  async function transcribe(query: string, audio: Buffer, frameBytes: number, bytesPerSecond?: number): Promise<StreamClient> {
    const client = await StreamClient.open(streamUrl(query), auth());
    await client.sendAudio(audio, { frameBytes, ...(bytesPerSecond !== undefined ? { bytesPerSecond } : {}) });
    client.send({ type: 'close_stream' });
    await client.closed;
    return client;
  }

  test('faster than real time in odd-sized frames: interims, one final per utterance, the last with is_last, close 1000', async () => {
    const client = await transcribe('?punctuate=false&vad_events=true', speech.pcm, 3333);
    assert.equal((await client.closed).code, 1000);
    const [first] = client.messages;
    assert.equal(first?.type, 'session_started');
    assert.equal(first?.encoding, 'linear16');
    assert.equal(first?.sample_rate, 16000);
    const finals = client.finals();
    assert.ok(finals.length >= 3, `one final per utterance at least (got ${finals.length})`);
    assert.equal(finals.at(-1)?.is_last, true);
    assert.ok(finals.slice(0, -1).every((final) => final.is_last === false));
    const firstFinal = client.messages.indexOf(finals[0]!);
    assert.ok(client.messages.slice(0, firstFinal).some((message) => message.type === 'transcription' && message.is_final === false), 'interims before the first final');
    assert.ok(client.messages.some((message) => message.type === 'speech_started'));
    assert.ok(client.messages.some((message) => message.type === 'speech_ended'));
    for (let index = 1; index < finals.length; index++) assert.ok(finals[index]!.start >= finals[index - 1]!.end - 0.001, 'finals follow each other in time');

    assertAsAccurateAsBatch(finalText(client));
  });

  test('real-time paced in 20 ms frames gives the same finals', async () => {
    const oneClip = clipsWithPauses(dir, 1);
    const client = await transcribe('?punctuate=false', oneClip.pcm, 640, BYTES_PER_SECOND_16K);
    const { errors, words } = wordErrors(oneClip.reference, finalText(client));
    assert.ok(errors / words < 0.5, `recognisable speech (${errors}/${words} word errors against the reference)`);
    assert.equal(client.finals().at(-1)?.is_last, true);
  });

  test('finalize mid-stream: one final from_finalize, and the stream goes on', async () => {
    const client = await StreamClient.open(streamUrl('?endpointing=false'), auth());
    await client.sendAudio(speech.pcm.subarray(0, 3 * BYTES_PER_SECOND_16K), { frameBytes: 3200 });
    client.send({ type: 'finalize' });
    const finalized = await client.waitFor((message) => message.type === 'transcription' && message.is_final === true);
    assert.equal(finalized.from_finalize, true);
    assert.equal(finalized.is_last, false);
    assert.ok(String(finalized.transcript).length > 0);
    await client.sendAudio(speech.pcm.subarray(3 * BYTES_PER_SECOND_16K, 6 * BYTES_PER_SECOND_16K), { frameBytes: 3200 });
    client.send({ type: 'close_stream' });
    assert.equal((await client.closed).code, 1000);
    const finals = client.finals();
    assert.equal(finals.length, 2);
    assert.equal(finals[1]?.is_last, true);
    assert.ok(finals[1]!.start >= 2.99, 'times run from the start of the stream');
  });

  test('mulaw at 8 kHz and linear16 at 44.1 kHz are resampled and transcribed', async () => {
    const oneClip = clipsWithPauses(dir, 1);
    for (const [query, audio] of [
      ['?encoding=mulaw&sample_rate=8000', transcode(oneClip.pcm, '-f', 'mulaw', '-ar', '8000')],
      ['?encoding=alaw&sample_rate=8000', transcode(oneClip.pcm, '-f', 'alaw', '-ar', '8000')],
      ['?encoding=linear16&sample_rate=44100', transcode(oneClip.pcm, '-f', 's16le', '-ar', '44100')],
    ] as const) {
      const client = await transcribe(`${query}&punctuate=false`, audio, 1001);
      const { errors, words } = wordErrors(oneClip.reference, finalText(client));
      assert.ok(errors / words < 0.6, `${query}: recognisable speech (${errors}/${words} word errors)`);
    }
  });

  test('word_timestamps and punctuation on finals; ?token= instead of the header', async () => {
    const oneClip = clipsWithPauses(dir, 1);
    const client = await StreamClient.open(streamUrl(`?word_timestamps=true&token=${stack.licenseKey}`));
    await client.sendAudio(oneClip.pcm, { frameBytes: 3200 });
    client.send({ type: 'close_stream' });
    await client.closed;
    const final = client.finals().find((message) => Array.isArray(message.words) && message.words.length > 0);
    assert.ok(final, 'a final with words');
    assert.match(String(final.transcript), /^[A-Z].*[.?!]$/, 'punctuated');
    assert.ok(final.words.every((word: { start: number; end: number }) => word.start >= final.start - 0.001 && word.end <= final.end + 0.5));
    assert.ok(!stack.api.logs.some((line) => JSON.stringify(line).includes(stack.licenseKey)), 'the ?token= never reaches a log line');
  });

  test('refused before the upgrade with an HTTP status and the error envelope', async () => {
    const refusal = async (url: string, headers: Record<string, string> = {}): Promise<StreamRefused> => {
      const error = await StreamClient.open(url, headers).then(
        () => assert.fail('upgraded'),
        (reason: unknown) => reason,
      );
      assert.ok(error instanceof StreamRefused);
      return error;
    };
    const noKey = await refusal(streamUrl());
    assert.equal(noKey.status, 401);
    assert.equal(noKey.body.code, 'INVALID_LICENSE');
    const badKey = await refusal(streamUrl('?token=stl1.bad.key'));
    assert.equal(badKey.status, 401);
    const badEncoding = await refusal(streamUrl('?encoding=opus'), auth());
    assert.equal(badEncoding.status, 400);
    assert.equal(badEncoding.body.parameter, 'encoding');
    const badTimeout = await refusal(streamUrl('?eou_timeout_ms=5'), auth());
    assert.equal(badTimeout.body.parameter, 'eou_timeout_ms');
    const language = await refusal(streamUrl('?language=fr'), auth());
    assert.equal(language.body.code, 'UNSUPPORTED_LANGUAGE');
    const noWorker = await stack.startExtraApi({ LIGHTNING_ASR_STREAMING_BASE_URL: 'http://127.0.0.1:9' });
    const unavailable = await refusal(`${noWorker.replace('http', 'ws')}/v1/listen/stream`, auth());
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.body.code, 'SERVICE_UNAVAILABLE');
    assert.ok(unavailable.body.request_id);
  });

  test('idle for the timeout (no audio, no keepalive): an error, then the close; keepalive holds it open', async () => {
    const api = await stack.startExtraApi({ STREAM_IDLE_TIMEOUT_S: '1' });
    const client = await StreamClient.open(`${api.replace('http', 'ws')}/v1/listen/stream`, auth());
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      client.send({ type: 'keepalive' });
    }
    assert.ok(!client.messages.some((message) => message.type === 'error'), 'keepalives kept it open');
    const { code } = await client.closed;
    assert.equal(code, 1011);
    assert.equal(client.messages.at(-1)?.type, 'error');
    assert.equal(client.messages.at(-1)?.code, 'IDLE_TIMEOUT');
  });

  test('a whole recording in one frame is transcribed; a frame over STREAM_MAX_FRAME_KB gets FRAME_TOO_LARGE, then 1009', async () => {
    // 19 s in one 608 KB frame: more than the worker takes in one frame, so the API server splits it.
    const client = await transcribe('?punctuate=false', speech.pcm, speech.pcm.length);
    assert.equal((await client.closed).code, 1000);
    assertAsAccurateAsBatch(finalText(client));

    const api = await stack.startExtraApi({ STREAM_MAX_FRAME_KB: '16' });
    const tooLarge = await StreamClient.open(`${api.replace('http', 'ws')}/v1/listen/stream`, auth());
    tooLarge.socket.send(speech.pcm.subarray(0, 20 * 1024));
    assert.equal((await tooLarge.closed).code, 1009);
    assert.equal(tooLarge.messages.at(-1)?.type, 'error');
    assert.equal(tooLarge.messages.at(-1)?.code, 'FRAME_TOO_LARGE');
  });

  test('a sender far ahead of decoding gets BUFFER_OVERFLOW, then 1008, and the worker gets its place back', async () => {
    const flood = await StreamClient.open(streamUrl(), auth());
    // 76 s at once: the worker queues at most 30 s of audio ahead of its decoder.
    await flood.sendAudio(Buffer.concat([speech.pcm, speech.pcm, speech.pcm, speech.pcm]), { frameBytes: 32_000 });
    assert.equal((await flood.closed).code, 1008);
    assert.equal(flood.messages.at(-1)?.code, 'BUFFER_OVERFLOW');
    const sessionId = flood.messages[0]?.session_id;
    await waitFor('the worker to end the flooded stream', async () =>
      stack.workers[0]!.logs.find((line) => line.msg === 'Stream ended' && line.request_id === sessionId),
    );
    // The worker holds 4 sessions (ASR_STREAM_CAPACITY): all 4 open only if the flooded one's place came back.
    const sessions = await Promise.all(Array.from({ length: 4 }, () => StreamClient.open(streamUrl(), auth())));
    for (const session of sessions) session.send({ type: 'close_stream' });
    for (const session of sessions) assert.equal((await session.closed).code, 1000);
  });

  test('at STREAM_MAX_DURATION_S: the last final, then AUDIO_TOO_LONG and close 1008', async () => {
    const api = await stack.startExtraApi({ STREAM_MAX_DURATION_S: '3' });
    const client = await StreamClient.open(`${api.replace('http', 'ws')}/v1/listen/stream?punctuate=false`, auth());
    void client.sendAudio(speech.pcm, { frameBytes: 3200, bytesPerSecond: BYTES_PER_SECOND_16K });
    assert.equal((await client.closed).code, 1008);
    const [last, error] = client.messages.slice(-2);
    assert.equal(last?.is_last, true, 'the last final before the reason');
    assert.ok(String(last?.transcript).split(' ').length >= 3, 'with the words spoken so far');
    assert.equal(error?.code, 'AUDIO_TOO_LONG');
  });

  test('over the per-key concurrency limit: an error, then close 1008', async () => {
    const api = await stack.startExtraApi({ RATE_LIMIT_CONCURRENT: '1' });
    const url = `${api.replace('http', 'ws')}/v1/listen/stream`;
    const first = await StreamClient.open(url, auth());
    await first.waitFor((message) => message.type === 'session_started');
    const second = await StreamClient.open(url, auth());
    assert.equal((await second.closed).code, 1008);
    assert.equal(second.messages.at(-1)?.code, 'RATE_LIMIT_EXCEEDED');
    first.send({ type: 'close_stream' });
    assert.equal((await first.closed).code, 1000);
  });
});
