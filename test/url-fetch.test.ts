import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ApiError, type ErrorCode } from '@stt/shared';
import {
  assertUrlAllowed,
  fetchAudio,
  parseAllowedHosts,
  refusedAddressReason,
  type FetchAudioOptions,
} from '../packages/api-server/src/url-fetch/index.js';
import { freePort } from './support/free-port.js';

const AUDIO = randomBytes(256 * 1024);
const LIMIT = 64 * 1024;
const MIB = 1024 * 1024;

/**
 * The origin server: audio, redirects of every kind, error statuses, a hang, oversized bodies.
 * It counts the connections it accepts, so a refused URL can be shown to have reached nothing.
 */
class OriginServer {
  connections = 0;
  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {
    server.on('connection', () => this.connections++);
  }

  static async start(host: string): Promise<OriginServer> {
    const server = createServer(route);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    return new OriginServer(server, host, (server.address() as AddressInfo).port);
  }

  get origin(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function route(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://origin');
  const path = url.pathname;
  const redirect = (location: string): void => {
    response.writeHead(302, { location });
    response.end();
  };
  if (path === '/audio') {
    response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': AUDIO.length });
    response.end(AUDIO);
  } else if (path === '/audio-chunked') {
    response.writeHead(200, { 'content-type': 'audio/mpeg' });
    for (let offset = 0; offset < AUDIO.length; offset += 10_000) {
      response.write(AUDIO.subarray(offset, offset + 10_000));
    }
    response.end();
  } else if (path === '/exactly-limit') {
    response.writeHead(200, { 'content-length': LIMIT });
    response.end(AUDIO.subarray(0, LIMIT));
  } else if (path === '/over-limit-length') {
    response.writeHead(200, { 'content-length': LIMIT + 1 });
    response.end(AUDIO.subarray(0, LIMIT + 1));
  } else if (path === '/huge-length') {
    // Announces 200 MiB and sends nothing: the announcement alone must be refused.
    response.writeHead(200, { 'content-length': 200 * MIB });
    response.flushHeaders();
  } else if (path === '/over-limit-chunked') {
    response.writeHead(200, { 'content-type': 'audio/wav' });
    const pump = (): void => {
      while (!response.destroyed && response.write(AUDIO.subarray(0, 16 * 1024)));
      if (!response.destroyed) response.once('drain', pump);
    };
    pump();
  } else if (path === '/redirect-self') {
    redirect('/audio');
  } else if (path.startsWith('/chain/')) {
    const left = Number(path.slice('/chain/'.length));
    redirect(left <= 1 ? '/audio' : `/chain/${left - 1}`);
  } else if (path === '/loop') {
    redirect('/loop');
  } else if (path === '/redirect-to') {
    redirect(url.searchParams.get('location') ?? '/');
  } else if (path === '/redirect-without-location') {
    response.writeHead(302);
    response.end();
  } else if (path.startsWith('/status/')) {
    response.writeHead(Number(path.slice('/status/'.length)), { 'content-type': 'text/plain' });
    response.end('upstream says no');
  } else if (path === '/hang') {
    // Never answers; the socket is closed by stop().
  } else if (path === '/stall-body') {
    response.writeHead(200, { 'content-length': AUDIO.length });
    response.write(AUDIO.subarray(0, 1000));
  } else {
    response.writeHead(404);
    response.end();
  }
}

/** Counts client sockets this process opens (net.connect publishes on this channel), while `run` runs. */
async function clientSocketsDuring(run: () => Promise<unknown>): Promise<number> {
  let opened = 0;
  const onSocket = (): void => {
    opened++;
  };
  subscribe('net.client.socket', onSocket);
  try {
    await run().catch(() => undefined);
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
  return opened;
}

/** Rejects-with check for an ApiError of `code`; returns the error for further checks. */
async function expectApiError(promise: Promise<unknown>, code: ErrorCode, label = ''): Promise<ApiError> {
  const error = await promise.then(
    () => assert.fail(`${label}: expected ${code}, but it succeeded`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ApiError, `${label}: expected an ApiError, got ${String(error)}`);
  assert.equal(error.code, code, `${label}: ${error.message}`);
  return error;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('url fetch', () => {
  let origin: OriginServer;
  let options: FetchAudioOptions;

  before(async () => {
    origin = await OriginServer.start('127.0.0.1');
    options = { allowedHosts: ['127.0.0.1'], timeoutMs: 5000, maxBytes: LIMIT * 8 };
  });
  after(() => origin.stop());

  describe('from an allowed host', () => {
    test('fetches the bytes, with content type and length', async () => {
      const fetched = await fetchAudio(`${origin.origin}/audio`, options);
      assert.equal(fetched.contentType, 'audio/wav');
      assert.equal(fetched.contentLength, AUDIO.length);
      assert.ok((await readAll(fetched.stream)).equals(AUDIO));
    });

    test('fetches a chunked body (no Content-Length)', async () => {
      const fetched = await fetchAudio(`${origin.origin}/audio-chunked`, options);
      assert.equal(fetched.contentLength, undefined);
      assert.ok((await readAll(fetched.stream)).equals(AUDIO));
    });

    test('an allow-list entry with a port allows that port only', async () => {
      const withPort = { ...options, allowedHosts: [`127.0.0.1:${origin.port}`] };
      assert.ok((await readAll((await fetchAudio(`${origin.origin}/audio`, withPort)).stream)).equals(AUDIO));
      const otherPort = { ...options, allowedHosts: [`127.0.0.1:${origin.port + 1}`] };
      const refused = (): Promise<ApiError> => expectApiError(fetchAudio(`${origin.origin}/audio`, otherPort), 'URL_NOT_ALLOWED');
      const opened = await clientSocketsDuring(refused);
      assert.equal(opened, 0);
    });

    test('a name on the allow-list is resolved (localhost, from /etc/hosts) and fetched', async () => {
      const fetched = await fetchAudio(`http://localhost:${origin.port}/audio`, { ...options, allowedHosts: ['LOCALHOST.'] });
      assert.ok((await readAll(fetched.stream)).equals(AUDIO));
    });

    test('an IPv6 literal on the allow-list ([::1])', async (t) => {
      const v6 = await OriginServer.start('::1').catch(() => undefined);
      if (!v6) {
        t.skip('no IPv6 loopback here');
        return;
      }
      try {
        const fetched = await fetchAudio(`${v6.origin}/audio`, { ...options, allowedHosts: [`[::1]:${v6.port}`] });
        assert.ok((await readAll(fetched.stream)).equals(AUDIO));
        await expectApiError(fetchAudio(`${v6.origin}/audio`, { ...options, allowedHosts: [] }), 'URL_NOT_ALLOWED');
        assert.equal(v6.connections, 1);
      } finally {
        await v6.stop();
      }
    });
  });

  describe('the address rules', () => {
    test('without the allow-list, loopback in every spelling is refused before any connection', async () => {
      const port = origin.port;
      const connectionsBefore = origin.connections;
      const urls = [
        `http://127.0.0.1:${port}/audio`,
        `http://localhost:${port}/audio`,
        `http://LOCALHOST:${port}/audio`,
        `http://localhost.:${port}/audio`,
        `http://sub.localhost:${port}/audio`,
        `http://[::1]:${port}/audio`,
        `http://[0:0:0:0:0:0:0:1]:${port}/audio`,
        `http://2130706433:${port}/audio`,
        `http://0177.0.0.1:${port}/audio`,
        `http://0x7f.1:${port}/audio`,
        `http://0x7f000001:${port}/audio`,
        `http://127.1:${port}/audio`,
        `http://127.0.0.1.:${port}/audio`,
        `http://127.255.255.254:${port}/audio`,
        `http://[::ffff:127.0.0.1]:${port}/audio`,
        `http://[::ffff:7f00:1]:${port}/audio`,
        `http://[::127.0.0.1]:${port}/audio`,
        `http://[64:ff9b::7f00:1]:${port}/audio`,
        `http://[2002:7f00:1::1]:${port}/audio`,
        `http://0.0.0.0:${port}/audio`,
        `http://0:${port}/audio`,
        `http://[::]:${port}/audio`,
        `https://127.0.0.1:${port}/audio`,
      ];
      for (const url of urls) {
        const refused = (): Promise<ApiError> =>
          expectApiError(fetchAudio(url, { ...options, allowedHosts: [] }), 'URL_NOT_ALLOWED', url);
        const opened = await clientSocketsDuring(refused);
        assert.equal(opened, 0, `${url} opened a socket`);
      }
      assert.equal(origin.connections, connectionsBefore);
    });

    test('private, link-local, CGNAT, metadata, multicast and reserved addresses are refused before any connection', async () => {
      const urls = [
        'http://169.254.169.254/latest/meta-data/',
        'http://[::ffff:169.254.169.254]/latest/meta-data/',
        'http://[fd00:ec2::254]/latest/meta-data/',
        'http://100.100.100.200/latest/meta-data/',
        'http://metadata.google.internal/computeMetadata/v1/',
        'http://metadata.google.internal./computeMetadata/v1/',
        'http://10.0.0.1/a.wav',
        'http://167772161/a.wav', // 10.0.0.1 in decimal
        'http://012.0.0.1/a.wav', // 10.0.0.1 in octal
        'http://0xa.0.0.1/a.wav', // 10.0.0.1 in hex
        'http://10.1/a.wav', // 10.0.0.1 short
        'http://172.16.0.1/a.wav',
        'http://172.31.255.254/a.wav',
        'http://192.168.1.1/a.wav',
        'http://100.64.0.1/a.wav',
        'http://169.254.1.1/a.wav',
        'http://[fe80::1]/a.wav',
        'http://[fc00::1]/a.wav',
        'http://[fd12:3456::1]/a.wav',
        'http://[::ffff:10.0.0.1]/a.wav',
        'http://[::ffff:0:10.0.0.1]/a.wav',
        'http://[64:ff9b::a00:1]/a.wav', // NAT64 to 10.0.0.1
        'http://[64:ff9b:1::a00:1]/a.wav', // local-use NAT64 prefix
        'http://[2002:c0a8:101::1]/a.wav', // 6to4 through 192.168.1.1
        'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/a.wav', // Teredo
        'http://224.0.0.1/a.wav',
        'http://[ff02::1]/a.wav',
        'http://255.255.255.255/a.wav',
        'http://240.0.0.1/a.wav',
        'http://198.18.0.1/a.wav',
        'http://192.0.2.1/a.wav',
        'http://[2001:db8::1]/a.wav',
        'http://[fec0::1]/a.wav',
      ];
      for (const url of urls) {
        // The allow-list names the origin only: it must not open anything else.
        const opened = await clientSocketsDuring(async () => {
          const error = await expectApiError(fetchAudio(url, options), 'URL_NOT_ALLOWED', url);
          assert.equal(error.statusCode, 400);
        });
        assert.equal(opened, 0, `${url} opened a socket`);
        await expectApiError(assertUrlAllowed(url, options.allowedHosts), 'URL_NOT_ALLOWED', url);
      }
    });

    test('only http and https: other schemes are refused', async () => {
      const urls = [
        'file:///etc/passwd',
        `ftp://127.0.0.1:${origin.port}/audio`,
        `gopher://127.0.0.1:${origin.port}/_GET`,
        `ws://127.0.0.1:${origin.port}/audio`,
        'data:audio/wav;base64,UklGRg==',
        'javascript:alert(1)',
      ];
      for (const url of urls) {
        const opened = await clientSocketsDuring(() => expectApiError(fetchAudio(url, options), 'URL_NOT_ALLOWED', url));
        assert.equal(opened, 0, url);
        await expectApiError(assertUrlAllowed(url, options.allowedHosts), 'URL_NOT_ALLOWED', url);
      }
    });

    test('a string that is not a URL is INVALID_PARAMETER naming the parameter', async () => {
      const error = await expectApiError(fetchAudio('not a url', options), 'INVALID_PARAMETER');
      assert.equal(error.extra.parameter, 'url');
      const callback = await expectApiError(assertUrlAllowed('/relative', [], { parameter: 'callback_url' }), 'INVALID_PARAMETER');
      assert.equal(callback.extra.parameter, 'callback_url');
    });

    test('public addresses pass the address policy (classification only, nothing is contacted)', () => {
      const publicAddresses = ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];
      for (const address of publicAddresses) {
        assert.equal(refusedAddressReason(address), undefined, address);
      }
      assert.equal(refusedAddressReason('169.254.169.254'), 'cloudMetadata');
      assert.equal(refusedAddressReason('::ffff:127.0.0.1'), 'ipv4Mapped:loopback');
      assert.equal(refusedAddressReason('10.0.0.1'), 'private');
    });

    test('assertUrlAllowed returns the URL for an allowed host and refuses loopback otherwise', async () => {
      const connectionsBefore = origin.connections;
      const url = await assertUrlAllowed(`${origin.origin}/hook`, ['127.0.0.1']);
      assert.equal(url.href, `${origin.origin}/hook`);
      await expectApiError(assertUrlAllowed(`http://localhost:${origin.port}/hook`, ['127.0.0.1']), 'URL_NOT_ALLOWED');
      await expectApiError(assertUrlAllowed(`http://localhost:${origin.port}/hook`, []), 'URL_NOT_ALLOWED');
      assert.equal(origin.connections, connectionsBefore, 'checking a URL contacts nothing');
    });

    test('an allow-list entry that is not a host is a configuration error', () => {
      assert.throws(() => parseAllowedHosts(['http://x/']), /allow-list entry/);
      assert.throws(() => parseAllowedHosts(['host:99999']), /invalid port/);
      assert.deepEqual(parseAllowedHosts([' Media.Internal. ', '', '[::1]:8080', '::1', '127.1']), [
        { hostname: 'media.internal' },
        { hostname: '[::1]', port: 8080 },
        { hostname: '[::1]' },
        { hostname: '127.0.0.1' },
      ]);
    });
  });

  describe('redirects', () => {
    test('a redirect to the same server is followed', async () => {
      const fetched = await fetchAudio(`${origin.origin}/redirect-self`, options);
      assert.equal(fetched.finalUrl.pathname, '/audio');
      assert.ok((await readAll(fetched.stream)).equals(AUDIO));
    });

    test('five redirects are followed, a sixth is too many', async () => {
      const fetched = await fetchAudio(`${origin.origin}/chain/5`, options);
      assert.ok((await readAll(fetched.stream)).equals(AUDIO));
      await expectApiError(fetchAudio(`${origin.origin}/chain/6`, options), 'URL_FETCH_FAILED');
    });

    test('a redirect loop ends in URL_FETCH_FAILED', async () => {
      const error = await expectApiError(fetchAudio(`${origin.origin}/loop`, options), 'URL_FETCH_FAILED');
      assert.match(error.message, /redirects/);
    });

    test('a redirect to an internal address is refused before connecting to it, and not named', async () => {
      const targets = [
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.1/a.wav',
        'http://[fe80::1]/a.wav',
        'http://0x0a000001/a.wav',
        `http://localhost:${origin.port}/audio`, // loopback, but not the allowed host
        `http://[::1]:${origin.port}/audio`,
        `http://[::ffff:127.0.0.1]:${origin.port}/audio`,
      ];
      for (const target of targets) {
        const url = `${origin.origin}/redirect-to?location=${encodeURIComponent(target)}`;
        const before = origin.connections;
        let error: ApiError | undefined;
        const opened = await clientSocketsDuring(async () => {
          error = await expectApiError(fetchAudio(url, options), 'URL_NOT_ALLOWED', target);
        });
        assert.equal(opened, 1, `${target}: only the first hop connects`);
        assert.equal(origin.connections, before + 1, target);
        assert.ok(error && !error.message.includes(new URL(target).hostname), `${target}: ${error?.message}`);
      }
    });

    test('a redirect to another scheme is refused', async () => {
      for (const target of [`ftp://127.0.0.1:${origin.port}/audio`, 'file:///etc/passwd', 'gopher://127.0.0.1/']) {
        const url = `${origin.origin}/redirect-to?location=${encodeURIComponent(target)}`;
        await expectApiError(fetchAudio(url, options), 'URL_NOT_ALLOWED', target);
      }
    });

    test('a redirect without a Location is URL_FETCH_FAILED with the upstream status', async () => {
      const url = `${origin.origin}/redirect-without-location`;
      const error = await expectApiError(fetchAudio(url, options), 'URL_FETCH_FAILED');
      assert.equal(error.extra.upstream_status, 302);
    });
  });

  describe('failures', () => {
    test('non-2xx answers are URL_FETCH_FAILED with upstream_status', async () => {
      for (const status of [404, 500, 403]) {
        const error = await expectApiError(fetchAudio(`${origin.origin}/status/${status}`, options), 'URL_FETCH_FAILED');
        assert.equal(error.extra.upstream_status, status);
        assert.equal(error.statusCode, 400);
      }
    });

    test('a server that never answers times out with URL_FETCH_FAILED', async () => {
      const started = Date.now();
      const error = await expectApiError(fetchAudio(`${origin.origin}/hang`, { ...options, timeoutMs: 300 }), 'URL_FETCH_FAILED');
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
      assert.match(error.message, /longer than 0\.3 seconds/);
    });

    test('the time limit covers the body: a stalled body destroys the stream', async () => {
      const fetched = await fetchAudio(`${origin.origin}/stall-body`, { ...options, timeoutMs: 400 });
      await expectApiError(readAll(fetched.stream), 'URL_FETCH_FAILED');
      assert.ok(fetched.stream.destroyed);
    });

    test("the caller's signal aborts the fetch", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const error = await fetchAudio(`${origin.origin}/hang`, { ...options, signal: controller.signal }).then(
        () => assert.fail('expected an abort'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof Error && error.name === 'AbortError', String(error));
    });

    test('a refused connection is URL_FETCH_FAILED without system error text', async () => {
      const closedPort = await freePort();
      const error = await expectApiError(fetchAudio(`http://127.0.0.1:${closedPort}/audio`, options), 'URL_FETCH_FAILED');
      assert.doesNotMatch(error.message, /ECONNREFUSED/);
    });

    test('a TLS failure (https to a plain-HTTP server) is URL_FETCH_FAILED', async () => {
      const error = await expectApiError(fetchAudio(`https://127.0.0.1:${origin.port}/audio`, options), 'URL_FETCH_FAILED');
      assert.match(error.message, /TLS/);
    });
  });

  describe('size limit', () => {
    const limited = (): FetchAudioOptions => ({ ...options, maxBytes: LIMIT });

    test('a body of exactly the limit is accepted', async () => {
      const fetched = await fetchAudio(`${origin.origin}/exactly-limit`, limited());
      assert.equal((await readAll(fetched.stream)).length, LIMIT);
    });

    test('a Content-Length over the limit is FILE_TOO_LARGE before the body is read', async () => {
      const error = await expectApiError(fetchAudio(`${origin.origin}/over-limit-length`, limited()), 'FILE_TOO_LARGE');
      assert.equal(error.statusCode, 422);
      assert.equal(error.extra.max_size_mb, 0.0625);
    });

    test('with the 100 MB upload limit, max_size_mb is 100', async () => {
      const uploadLimit = { ...options, maxBytes: 100 * MIB };
      const error = await expectApiError(fetchAudio(`${origin.origin}/huge-length`, uploadLimit), 'FILE_TOO_LARGE');
      assert.equal(error.extra.max_size_mb, 100);
    });

    test('a chunked body that passes the limit destroys the stream with FILE_TOO_LARGE', async () => {
      const fetched = await fetchAudio(`${origin.origin}/over-limit-chunked`, limited());
      let received = 0;
      fetched.stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      const error = await expectApiError(
        new Promise((resolve, reject) => {
          fetched.stream.once('error', reject);
          fetched.stream.once('end', resolve);
        }),
        'FILE_TOO_LARGE',
      );
      assert.equal(error.extra.max_size_mb, 0.0625);
      assert.ok(received <= LIMIT, `${received} bytes passed a ${LIMIT}-byte limit`);
    });
  });
});
