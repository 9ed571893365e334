import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseJsonAs, type StreamCommand, type StreamQuery, type WorkerStreamEvent } from '@stt/shared';
import type { LiveDialect, LiveMessage, LiveProtocol, LiveSession } from '../../streaming/live-protocol.js';
import { deepgramAlternative } from './deepgram-alternative.js';
import { deepgramErrorResponses } from './error-body.js';
import { liveQuerySchema, parseDeepgramLiveQuery, type DeepgramLiveOptions } from './live-options.js';
import { deepgramModelInfo } from './model-info.js';
import { substitutedModelWarning } from './unsupported-options.js';

/** Deepgram's client messages; `Finalize` may name its channel. */
const deepgramCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('KeepAlive') }),
  z.object({ type: z.literal('Finalize'), channel: z.number().optional() }),
  z.object({ type: z.literal('CloseStream') }),
]);

const COMMANDS: Readonly<Record<z.infer<typeof deepgramCommandSchema>['type'], StreamCommand>> = {
  KeepAlive: { type: 'keepalive' },
  Finalize: { type: 'finalize' },
  CloseStream: { type: 'close_stream' },
};

/** Channel 0 of 1: where Deepgram's messages say which channel they are about. */
const ONLY_CHANNEL = [0, 1];

/**
 * Deepgram's live protocol: no first message; `Results` (`is_final`, and `speech_final` on the
 * finals the endpointer ended), `SpeechStarted`, `UtteranceEnd` after an endpointed final with
 * words (when `utterance_end_ms` is set), Deepgram's commands, and `Metadata` before the close.
 */
class DeepgramLiveProtocol implements LiveProtocol {
  readonly commandHint = 'Text frames must be {"type":"KeepAlive"|"Finalize"|"CloseStream"}.';
  private readonly audioHash = createHash('sha256');
  private readonly model;
  private readonly created = new Date().toISOString();

  constructor(
    private readonly query: StreamQuery,
    private readonly own: DeepgramLiveOptions,
    private readonly session: LiveSession,
  ) {
    this.model = deepgramModelInfo(session.model, session.engine);
  }

  opening(): undefined {
    return undefined;
  }

  heard(bytes: Buffer): void {
    this.audioHash.update(bytes);
  }

  command(text: string): StreamCommand | undefined {
    const command = parseJsonAs(deepgramCommandSchema, text);
    return command === undefined ? undefined : COMMANDS[command.type];
  }

  messages(event: WorkerStreamEvent): LiveMessage[] {
    switch (event.type) {
      case 'partial':
        return [this.results({ start: event.start, end: event.end, isFinal: false, speechFinal: false, fromFinalize: false }, { transcript: event.text, confidence: 0, words: [] })];
      case 'final': {
        const speechFinal = !event.from_finalize;
        const results = this.results(
          { start: event.start, end: event.end, isFinal: true, speechFinal, fromFinalize: event.from_finalize && !event.is_last },
          deepgramAlternative(event.words, this.query.punctuate),
        );
        const lastWord = event.words.at(-1);
        if (!speechFinal || !this.own.utteranceEnd || lastWord === undefined) return [results];
        return [results, { type: 'UtteranceEnd', channel: ONLY_CHANNEL, last_word_end: lastWord.end }];
      }
      case 'speech_started':
        return [{ type: 'SpeechStarted', channel: ONLY_CHANNEL, timestamp: event.timestamp }];
      case 'speech_ended':
        return [];
      case 'error':
        return [this.error(event.code, event.message)];
    }
  }

  /** Deepgram's live error: the contract's code as its `variant`. */
  error(code: string, message: string): LiveMessage {
    return { type: 'Error', variant: code, message: code, description: message };
  }

  farewell(audioSeconds: number): LiveMessage {
    const warnings = [...this.own.warnings, ...(this.own.deepgramModel !== undefined ? [substitutedModelWarning(this.own.deepgramModel, this.session.model)] : [])];
    return {
      type: 'Metadata',
      transaction_key: 'deprecated',
      request_id: this.session.sessionId,
      sha256: this.audioHash.digest('hex'),
      created: this.created,
      duration: Number(audioSeconds.toFixed(3)),
      channels: 1,
      models: [this.model.uuid],
      model_info: { [this.model.uuid]: { name: this.model.name, version: this.model.version, arch: this.model.arch } },
      // Deepgram's live API has no place for them; here they come with the summary.
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  private results(
    span: { start: number; end: number; isFinal: boolean; speechFinal: boolean; fromFinalize: boolean },
    alternative: ReturnType<typeof deepgramAlternative>,
  ): LiveMessage {
    return {
      type: 'Results',
      channel_index: ONLY_CHANNEL,
      duration: Number((span.end - span.start).toFixed(3)),
      start: span.start,
      is_final: span.isFinal,
      speech_final: span.speechFinal,
      from_finalize: span.fromFinalize,
      channel: { alternatives: [alternative] },
      metadata: {
        request_id: this.session.sessionId,
        model_info: { name: this.model.name, version: this.model.version, arch: this.model.arch },
        model_uuid: this.model.uuid,
      },
    };
  }
}

/** Deepgram's live `/v1/listen`: its query and its protocol. */
export const deepgramLiveDialect: LiveDialect = {
  schema: {
    tags: ['deepgram'],
    summary: "Deepgram-compatible live transcription over WebSocket (upgrade): @deepgram/sdk's listen.v1.connect with baseUrl …/deepgram",
    // Deepgram's unsupported options (docs/compatibility.md) are read besides these.
    querystring: liveQuerySchema,
    response: {
      101: { description: 'Switching to WebSocket: binary audio frames and KeepAlive/Finalize/CloseStream in; Results, SpeechStarted, UtteranceEnd, Metadata and Error out' },
      ...deepgramErrorResponses,
    },
  },
  parse(raw) {
    const { query, own } = parseDeepgramLiveQuery(raw);
    return { query, protocol: (session) => new DeepgramLiveProtocol(query, own, session) };
  },
};
