import { Histogram, type Registry } from 'prom-client';

export type TranscriptionKind = 'interim' | 'final';

/**
 * `api_stream_latency_seconds{type}`: how long a live transcription message took, from the
 * arrival here of the audio it covers (up to its `end`) to its sending to the client. A final
 * that answers `finalize` or `close_stream` cannot come before that command, so it is timed from
 * the command when that came later. Interims show whether decoding keeps up with the audio;
 * finals add the second pass over the whole utterance, which grows with the utterance's length.
 */
export class StreamLatency {
  private readonly histogram: Histogram<'type'>;

  constructor(registry: Registry) {
    this.histogram = new Histogram({
      name: 'api_stream_latency_seconds',
      help: 'Live transcription latency: from the arrival of the audio a message covers (or of the finalize/close_stream it answers) to the message being sent, by type (interim, final).',
      labelNames: ['type'],
      buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30],
      registers: [registry],
    });
    // Both series exist from the start, so rates over them are 0 rather than absent.
    for (const type of ['interim', 'final'] as const) this.histogram.zero({ type });
  }

  /** One message sent at `sentAt` whose audio (or command) had arrived at `arrivedAt` (ms, one clock). */
  observe(type: TranscriptionKind, arrivedAt: number, sentAt: number): void {
    this.histogram.observe({ type }, Math.max(0, sentAt - arrivedAt) / 1000);
  }
}
