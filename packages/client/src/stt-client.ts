import { audioSource, type AudioInput, type AudioSource } from './batch/audio-input.js';
import type { AcceptedJob, JobStatus, Transcript } from './batch/transcript.js';
import { wireOptions, type RequestOptions, type SubmitOptions, type TranscribeOptions, type TranscriptFormat } from './batch/transcribe-options.js';
import { countingUpload } from './batch/upload-progress.js';
import {
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_READ_HIGH_WATER_MARK,
  DEFAULT_SEND_HIGH_WATER_MARK,
  DEFAULT_TIMEOUT_MS,
  type SttClientOptions,
} from './client-options.js';
import { parseObject } from './errors/error-body.js';
import { SttError } from './errors/stt-error.js';
import { COMPONENT_ROUTES, type ComponentHealth, type ComponentRoute, type DetailedHealth, type HealthReport } from './health/health-report.js';
import { apiUrl } from './http/api-url.js';
import { HttpTransport, type HttpAnswer, type HttpRequest } from './http/http-transport.js';
import { RetryPolicy } from './http/retry-policy.js';
import { LiveStream } from './streaming/live-stream.js';
import { streamQuery, type StreamOptions } from './streaming/stream-options.js';

/**
 * The API server's client: batch transcription (synchronous, or with a callback), job status,
 * live streams and health. Busy answers are retried as the server asks (`Retry-After`).
 */
export class SttClient {
  private readonly http: HttpTransport;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly healthTimeoutMs: number;

  constructor(private readonly options: SttClientOptions) {
    this.http = new HttpTransport(options.baseUrl, options.apiKey);
    this.retry = new RetryPolicy(options.retry, options.onRetry);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.healthTimeoutMs = options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  }

  /** Transcribes `input` and waits for the transcript (format `json`, the default). */
  transcribe(input: AudioInput, options?: TranscribeOptions & { readonly format?: 'json' }): Promise<Transcript>;
  /** Transcribes `input` as plain text or subtitles: the body as the server wrote it. */
  transcribe(input: AudioInput, options: TranscribeOptions & { readonly format: Exclude<TranscriptFormat, 'json'> }): Promise<string>;
  async transcribe(input: AudioInput, options: TranscribeOptions = {}): Promise<Transcript | string> {
    const answer = await this.listen(input, options);
    const format = options.format ?? 'json';
    if (format === 'json') return jsonBody<Transcript>(answer);
    // A server without the option ignores it, as it does unknown options, and answers JSON.
    if (answer.headers.get('content-type')?.startsWith('application/json')) {
      throw new SttError(`The server answered JSON for format=${format}: it does not support that format.`, {
        code: 'INVALID_RESPONSE',
        status: answer.status,
        requestId: answer.headers.get('x-request-id') ?? undefined,
      });
    }
    return answer.text;
  }

  /** Hands `input` over and returns at once (202); the server POSTs the signed result to `callbackUrl`. */
  async submit(input: AudioInput, options: SubmitOptions): Promise<AcceptedJob> {
    return jsonBody<AcceptedJob>(await this.listen(input, options));
  }

  /** A job's status, and its result or error once it has ended (while the server keeps it). */
  async job(jobId: string, options: Pick<RequestOptions, 'requestId' | 'signal'> = {}): Promise<JobStatus> {
    const answer = await this.retry.run(() => this.http.send({ method: 'GET', path: `/v1/listen/${encodeURIComponent(jobId)}`, timeoutMs: this.healthTimeoutMs, ...perCall(options) }), options);
    return jsonBody<JobStatus>(answer);
  }

  /** Opens a live session (retried while the server has no room: 503, 429, a 1013 close before it starts). */
  stream(options: StreamOptions = {}): Promise<LiveStream> {
    const url = apiUrl(this.options.baseUrl, `/v1/listen/stream${streamQuery(options)}`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const headers: Record<string, string> = {};
    if (this.options.apiKey !== undefined) headers.authorization = `Token ${this.options.apiKey}`;
    if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
    const settings = {
      headers,
      readHighWaterMark: options.readHighWaterMark ?? DEFAULT_READ_HIGH_WATER_MARK,
      sendHighWaterMark: options.sendHighWaterMark ?? DEFAULT_SEND_HIGH_WATER_MARK,
      signal: options.signal,
    };
    return this.retry.run(() => LiveStream.open(url.href, settings), { signal: options.signal });
  }

  /** `GET /health`: the overall verdict; an unhealthy server's 503 is an answer, not an error. */
  async health(): Promise<HealthReport> {
    return jsonBody<HealthReport>(await this.healthRoute('/health'));
  }

  /** `GET /health?detailed=true`: every component's status and numbers. */
  async detailedHealth(): Promise<DetailedHealth> {
    return jsonBody<DetailedHealth>(await this.healthRoute('/health?detailed=true'));
  }

  /** One component's route: `asr`, `license` or `redis`. */
  async componentHealth(component: ComponentRoute): Promise<ComponentHealth> {
    return jsonBody<ComponentHealth>(await this.healthRoute(COMPONENT_ROUTES[component]));
  }

  /** `GET /health/live`: whether the API server's process answers at all, whatever its components. */
  async live(): Promise<boolean> {
    return (await this.healthRoute('/health/live')).status === 200;
  }

  private healthRoute(path: string): Promise<HttpAnswer> {
    return this.http.send({ method: 'GET', path, timeoutMs: this.healthTimeoutMs, authenticated: false, acceptAnyStatus: true, headers: { accept: 'application/json' } });
  }

  private listen(input: AudioInput, options: TranscribeOptions | SubmitOptions): Promise<HttpAnswer> {
    const source = audioSource(input, options.size);
    const replayable = source.kind === 'url' || source.replayable;
    return this.retry.run(() => this.http.send(this.listenRequest(source, options)), { replayable, signal: options.signal });
  }

  private listenRequest(source: AudioSource, options: TranscribeOptions | SubmitOptions): HttpRequest {
    const wire = wireOptions(options);
    const common = { method: 'POST', timeoutMs: this.timeoutMs, ...perCall(options) } as const;
    if (source.kind === 'url') {
      return { ...common, path: '/v1/listen', headers: { ...common.headers, 'content-type': 'application/json' }, body: JSON.stringify({ url: source.url, ...wire }) };
    }
    const query = new URLSearchParams(Object.entries(wire).map(([name, value]): [string, string] => [name, String(value)]));
    return {
      ...common,
      path: `/v1/listen${query.size > 0 ? `?${query}` : ''}`,
      headers: {
        ...common.headers,
        'content-type': 'application/octet-stream',
        // A declared size lets the server refuse a file too large before any of it is sent.
        ...(source.total !== undefined ? { 'content-length': String(source.total) } : {}),
      },
      body: countingUpload(source.chunks(), source.total, options.onUploadProgress),
    };
  }
}

function perCall(options: Pick<RequestOptions, 'requestId' | 'signal'>): { headers: Record<string, string>; signal: AbortSignal | undefined } {
  return { headers: options.requestId !== undefined ? { 'x-request-id': options.requestId } : {}, signal: options.signal };
}

/** The answer's JSON object; INVALID_RESPONSE for anything else (a proxy's page in the way). */
function jsonBody<T>(answer: HttpAnswer): T {
  const body = parseObject(answer.text);
  if (body === undefined) {
    throw new SttError(`The server answered ${answer.status} with a body that is not JSON.`, {
      code: 'INVALID_RESPONSE',
      status: answer.status,
      requestId: answer.headers.get('x-request-id') ?? undefined,
    });
  }
  return body as T;
}
