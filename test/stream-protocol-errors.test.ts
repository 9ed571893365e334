import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { request, waitFor } from './support/http.js';
import { GOFORWARD_RAW } from './support/speech-corpus.js';
import { StreamClient } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

/** Found by fuzzing the live endpoint (test/fuzz-stream.test.ts); each failed before its fix. */
describe('live sessions and frames the WebSocket layer refuses', () => {
  let stack: TestStack;
  const streamUrl = (query = ''): string => `${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream${query}`;
  const auth = (): Record<string, string> => ({ authorization: `Token ${stack.licenseKey}` });
  const activeStreams = async (): Promise<number> => (await request(`${stack.apiUrl}/health?detailed=true`)).json.details.lightning_asr.active_streams;

  before(async () => {
    // A long idle timeout: a session left behind would hold its worker place for all of it.
    stack = await TestStack.start({ workers: 1, apiEnv: { STREAM_MAX_FRAME_KB: '4', STREAM_IDLE_TIMEOUT_S: '300' } });
    await stack.healthy();
  });
  after(() => stack.stop());

  test('a text frame that is not UTF-8 is an INVALID_PARAMETER error and the stream goes on', async () => {
    const client = await StreamClient.open(streamUrl('?punctuate=false'), auth());
    client.socket.send(Buffer.from([0xff, 0xfe, 0x00]), { binary: false });
    await client.waitFor((message) => message.type === 'error', 10_000);
    await client.sendAudio(readFileSync(GOFORWARD_RAW), { frameBytes: 3200 });
    client.send({ type: 'close_stream' });
    assert.equal((await client.closed).code, 1000);
    assert.equal(client.messages.find((message) => message.type === 'error')?.code, 'INVALID_PARAMETER');
    assert.equal(client.finals().map((final) => final.transcript).join(' '), 'go forward ten meters');
  });

  test('a frame past twice the limit gets the WebSocket layer’s 1009, never an abrupt 1006', async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const client = await StreamClient.open(streamUrl(), auth());
      await client.waitFor((message) => message.type === 'session_started', 10_000);
      client.socket.send(Buffer.alloc(9 * 1024), { binary: true });
      // Frames still arriving when the server closes: a socket destroyed with them unread resets the connection.
      for (let frame = 0; frame < 20; frame++) client.socket.send(Buffer.alloc(3200), { binary: true });
      assert.equal((await client.closed).code, 1009, `attempt ${attempt}`);
    }
  });

  test('a client closed before its session started leaves no worker stream behind, and its worker is not "lost"', async () => {
    const sessionIds: string[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      await new Promise<void>((resolve) => {
        const socket = new WebSocket(streamUrl(), { headers: auth() });
        socket.on('upgrade', (response) => sessionIds.push(String(response.headers['x-request-id'])));
        // A frame the WebSocket layer refuses at once: the server closes the client before the session has started.
        socket.on('open', () => socket.send(Buffer.alloc(9 * 1024)));
        socket.on('close', () => resolve());
        socket.on('error', () => undefined);
      });
    }
    await waitFor('the worker streams of the gone clients to end', async () => ((await activeStreams()) === 0 ? true : undefined));
    // The worker holds 4 live streams: all 4 open only if every gone client's place came back.
    const sessions = await Promise.all(Array.from({ length: 4 }, () => StreamClient.open(streamUrl(), auth())));
    for (const session of sessions) session.send({ type: 'close_stream' });
    for (const session of sessions) assert.equal((await session.closed).code, 1000);
    const moved = stack.api.logs.filter((line) => line.msg === 'Worker lost mid-stream; moving the session' && sessionIds.includes(String(line.request_id)));
    assert.deepEqual(moved, [], 'a gone client’s session is ended, not moved to another worker');
  });
});
