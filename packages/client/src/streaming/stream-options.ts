/** Query options of `/v1/listen/stream` (the contract's "Streaming" section), camel-cased. */
export interface StreamOptions {
  readonly language?: string;
  readonly model?: string;
  readonly encoding?: 'linear16' | 'mulaw' | 'alaw';
  /** 8000–48000; the server resamples. */
  readonly sampleRate?: number;
  readonly punctuate?: boolean;
  readonly wordTimestamps?: boolean;
  readonly interimResults?: boolean;
  readonly endpointing?: boolean;
  readonly eouTimeoutMs?: number;
  readonly vadEvents?: boolean;
  readonly requestId?: string;
  readonly signal?: AbortSignal;
  /** Messages kept unread before the client stops reading the socket (the server then slows down). */
  readonly readHighWaterMark?: number;
  /** Bytes queued unsent beyond which `send` waits for them to go out. */
  readonly sendHighWaterMark?: number;
}

const QUERY_NAMES = {
  language: 'language',
  model: 'model',
  encoding: 'encoding',
  sampleRate: 'sample_rate',
  punctuate: 'punctuate',
  wordTimestamps: 'word_timestamps',
  interimResults: 'interim_results',
  endpointing: 'endpointing',
  eouTimeoutMs: 'eou_timeout_ms',
  vadEvents: 'vad_events',
} as const satisfies Partial<Record<keyof StreamOptions, string>>;

/** The stream's query string (with its leading `?` when not empty). */
export function streamQuery(options: StreamOptions): string {
  const query = new URLSearchParams();
  for (const [name, wireName] of Object.entries(QUERY_NAMES)) {
    const value = options[name as keyof typeof QUERY_NAMES];
    if (value !== undefined) query.set(wireName, String(value));
  }
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}
