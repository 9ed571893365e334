import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { request, waitFor, type HttpResult } from './http.js';
import type { MultiHostStack } from './multi-host-stack.js';
import { GOFORWARD_RAW } from './speech-corpus.js';
import { StreamClient } from './stream-client.js';
import { WebhookReceiver } from './webhook-receiver.js';

/** Synchronous batch clients, each sending its next request once the previous one is answered. */
const BATCH_CLIENTS = 3;
/** The longest a stream of the short clip may take to end after its last frame. */
const STREAM_TIMEOUT_MS = 30_000;
/** The longest any operation may take (a batch request's own timeout is shorter). */
const OPERATION_TIMEOUT_MS = 90_000;
/** The longest a callback job may take from acceptance to its delivery before it counts as lost. */
const DELIVERY_TIMEOUT_MS = 80_000;
/** The bound of the whole load, whatever happens. */
const MAX_OPERATIONS = 2000;

const KINDS = ['batch', 'callback', 'stream'] as const;
const LOST = '202, never delivered';

interface Operation {
  readonly kind: (typeof KINDS)[number];
  readonly sentAt: number;
  readonly endedAt: number;
  /** `200`, `503`, `202, delivered completed`, `close 1000`, or the client-side error (`fetch failed`, `close 1006`). */
  readonly outcome: string;
  readonly ok: boolean;
}

/**
 * A steady load through the load balancer while a drill runs: synchronous batch requests, callback
 * jobs (each delivered to a webhook receiver on this machine before the next is sent) and live
 * streams (one after another, each a short clip). Every operation is recorded with when it was sent
 * and how it ended, so the drill can count what its clients saw around its events.
 */
export class DrillLoad {
  private readonly operations: Operation[] = [];
  private readonly events = new Map<string, number>();
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly pcm = readFileSync(GOFORWARD_RAW);
  private receiver: WebhookReceiver | undefined;

  constructor(
    private readonly stack: MultiHostStack,
    private readonly clip: Buffer,
  ) {}

  async start(): Promise<void> {
    this.receiver = await WebhookReceiver.start(0, this.stack.hosts.gateway);
    this.loops = [
      ...Array.from({ length: BATCH_CLIENTS }, () => this.loop('batch', () => this.batch())),
      this.loop('callback', () => this.callbackJob()),
      this.loop('stream', () => this.stream()),
    ];
  }

  /** Resolves once every kind of operation has succeeded at least once. */
  running(): Promise<unknown> {
    return waitFor('the load to run', async () =>
      KINDS.every((kind) => this.operations.some((operation) => operation.kind === kind && operation.ok)) ? true : undefined,
    { timeoutMs: 60_000 });
  }

  markEvent(name: string): void {
    this.events.set(name, Date.now());
  }

  eventTime(name: string): number {
    const at = this.events.get(name);
    if (at === undefined) throw new Error(`no event ${name}`);
    return at;
  }

  /** Waits until `count` more operations have ended. */
  forRequests(count: number): Promise<unknown> {
    const target = this.operations.length + count;
    return waitFor(`${count} more operations`, async () => (this.operations.length >= target ? true : undefined), { timeoutMs: 120_000 });
  }

  /** Stops sending; resolves once every operation sent has ended (a callback job: delivered, or past its bound). */
  async stop(): Promise<DrillOutcome> {
    this.stopping = true;
    await Promise.all(this.loops);
    this.receiver?.stop();
    return new DrillOutcome([...this.operations], new Map(this.events));
  }

  private async loop(kind: Operation['kind'], operation: () => Promise<Omit<Operation, 'sentAt' | 'endedAt'>>): Promise<void> {
    while (!this.stopping && this.operations.length < MAX_OPERATIONS) {
      const sentAt = Date.now();
      const result = await Promise.race([operation(), this.timedOut(kind)]);
      this.operations.push({ ...result, sentAt, endedAt: Date.now() });
      if (!result.ok) await delay(200);
    }
  }

  /** Every operation is bounded, as a real client bounds it: past this it counts as failed. */
  private async timedOut(kind: Operation['kind']): Promise<Omit<Operation, 'sentAt' | 'endedAt'>> {
    await delay(OPERATION_TIMEOUT_MS, undefined, { ref: false });
    return { kind, outcome: `no end within ${OPERATION_TIMEOUT_MS} ms`, ok: false };
  }

  private post(query = ''): Promise<HttpResult> {
    return request(`${this.stack.lbUrl}/v1/listen${query}`, {
      method: 'POST',
      headers: { Authorization: `Token ${this.stack.licenseKey}`, 'Content-Type': 'audio/wav' },
      body: this.clip,
      timeoutMs: 60_000,
    });
  }

  private async batch(): Promise<Omit<Operation, 'sentAt' | 'endedAt'>> {
    try {
      const answer = await this.post();
      return { kind: 'batch', outcome: String(answer.status), ok: answer.status === 200 && /go forward/i.test(answer.json?.text ?? '') };
    } catch (error) {
      return { kind: 'batch', outcome: (error as Error).message, ok: false };
    }
  }

  /** Accepted (202) and then delivered, completed, to the receiver: a job accepted and never delivered is lost. */
  private async callbackJob(): Promise<Omit<Operation, 'sentAt' | 'endedAt'>> {
    const receiver = this.receiver!;
    let answer: HttpResult;
    try {
      answer = await this.post(`?callback_url=${encodeURIComponent(receiver.url)}`);
    } catch (error) {
      return { kind: 'callback', outcome: (error as Error).message, ok: false };
    }
    if (answer.status !== 202) return { kind: 'callback', outcome: String(answer.status), ok: false };
    const jobId = String(answer.json.job_id);
    const delivered = await waitFor(`job ${jobId}'s delivery`, async () => receiver.accepted().get(jobId), { timeoutMs: DELIVERY_TIMEOUT_MS, intervalMs: 100 }).catch(() => undefined);
    if (delivered === undefined) return { kind: 'callback', outcome: LOST, ok: false };
    const heard = /go forward/i.test(JSON.stringify(delivered.result ?? ''));
    return { kind: 'callback', outcome: `202, delivered ${delivered.status}`, ok: delivered.status === 'completed' && heard };
  }

  private async stream(): Promise<Omit<Operation, 'sentAt' | 'endedAt'>> {
    try {
      const client = await StreamClient.open(`${this.stack.lbUrl.replace('http', 'ws')}/v1/listen/stream`, { Authorization: `Token ${this.stack.licenseKey}` });
      await client.sendAudio(this.pcm, { frameBytes: 3200, bytesPerSecond: 32_000 * 4 });
      client.send({ type: 'close_stream' });
      // A stream whose worker vanished is bounded as a real client bounds it.
      const timer = setTimeout(() => client.socket.terminate(), STREAM_TIMEOUT_MS);
      const { code } = await client.closed;
      clearTimeout(timer);
      const heard = /go forward/i.test(client.finals().map((final) => final.transcript).join(' '));
      return { kind: 'stream', outcome: `close ${code}`, ok: code === 1000 && heard };
    } catch (error) {
      return { kind: 'stream', outcome: (error as Error).message, ok: false };
    }
  }
}

/** What the drill's clients saw, counted around its events. */
export class DrillOutcome {
  constructor(
    private readonly operations: readonly Operation[],
    private readonly events: ReadonlyMap<string, number>,
  ) {}

  succeeded(): number {
    return this.operations.filter((operation) => operation.ok).length;
  }

  failed(): number {
    return this.operations.filter((operation) => !operation.ok).length;
  }

  failedOfKind(kind: Operation['kind']): number {
    return this.operations.filter((operation) => !operation.ok && operation.kind === kind).length;
  }

  /** Callback jobs accepted (202) and never delivered. */
  lostJobs(): number {
    return this.operations.filter((operation) => operation.outcome === LOST).length;
  }

  /** Failures among operations sent after `event`. */
  failedSentAfter(event: string): number {
    const at = this.at(event);
    return this.operations.filter((operation) => !operation.ok && operation.sentAt > at).length;
  }

  /** Failures among operations still in flight at `event` (sent before it, ended after it). */
  failedInFlightAt(event: string): number {
    const at = this.at(event);
    return this.operations.filter((operation) => !operation.ok && operation.sentAt <= at && operation.endedAt >= at).length;
  }

  summary(): string {
    const byKind = KINDS.map((kind) => {
      const counts = new Map<string, number>();
      for (const operation of this.operations.filter((candidate) => candidate.kind === kind)) counts.set(operation.outcome, (counts.get(operation.outcome) ?? 0) + 1);
      return `${kind} ${[...counts].map(([outcome, count]) => `${count} × ${outcome}`).join(', ')}`;
    });
    return `${this.operations.length} operations (${byKind.join('; ')}), ${this.failed()} failed`;
  }

  private at(event: string): number {
    const at = this.events.get(event);
    if (at === undefined) throw new Error(`no event ${event}`);
    return at;
  }
}
