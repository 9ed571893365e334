import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WorkerState } from './worker-state.js';

/**
 * The worker's Prometheus metrics, named as the documentation's dashboards and autoscaler
 * expect (`asr_active_requests` drives the HPA). Gauges read the worker state at scrape time.
 */
export class AsrMetrics {
  readonly registry = new Registry();
  readonly totalRequests: Counter;
  readonly audioSeconds: Counter;
  readonly requestDuration: Histogram;
  readonly realTimeFactor: Histogram;

  constructor(state: WorkerState) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'asr_active_requests',
      help: 'Batch requests being decoded now.',
      registers,
      collect() {
        this.set(state.activeRequests);
      },
    });
    new Gauge({
      name: 'asr_active_streams',
      help: 'Live streams being decoded now.',
      registers,
      collect() {
        this.set(state.activeStreams);
      },
    });
    new Gauge({
      name: 'asr_stream_queue_depth',
      help: 'Utterances of live streams waiting for their final: ended, their second-pass decode queued for a batch decoder or running.',
      registers,
      collect() {
        this.set(state.streamFinalsPending);
      },
    });
    new Gauge({
      name: 'asr_capacity',
      help: 'Concurrent decodes this worker accepts.',
      registers,
      collect() {
        this.set(state.capacity);
      },
    });
    new Gauge({
      name: 'asr_ready',
      help: '1 when the model is loaded and the last self-test passed.',
      registers,
      collect() {
        this.set(state.status === 'ready' ? 1 : 0);
      },
    });
    this.totalRequests = new Counter({ name: 'asr_total_requests', help: 'Batch requests decoded.', labelNames: ['status'], registers });
    this.audioSeconds = new Counter({ name: 'asr_audio_seconds_total', help: 'Seconds of audio decoded.', registers });
    this.requestDuration = new Histogram({
      name: 'asr_request_duration_seconds',
      help: 'Wall time to decode one request.',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.realTimeFactor = new Histogram({
      name: 'asr_real_time_factor',
      help: 'Decode time divided by audio duration.',
      buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5],
      registers,
    });
  }
}
