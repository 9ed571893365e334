import { parseJsonAs, streamCommandSchema, streamQuerySchema, type StreamQuery } from '@stt/shared';
import { errorResponses } from '../openapi/error-body-schema.js';
import { validatedFields } from '../transcription/validated-fields.js';
import { clientMessage } from './client-messages.js';
import type { LiveDialect, LiveProtocol, LiveSession } from './live-protocol.js';

/** The contract's live protocol ("Streaming"): `session_started` first, lower-case commands, `error` messages. */
function nativeProtocol(query: StreamQuery, { sessionId }: LiveSession): LiveProtocol {
  return {
    opening: () => ({ type: 'session_started', session_id: sessionId, ...query }),
    messages: (event) => [clientMessage(event, sessionId, query)],
    command: (text) => parseJsonAs(streamCommandSchema, text),
    commandHint: 'Text frames must be {"type":"finalize"|"close_stream"|"keepalive"}.',
    error: (code, message) => ({ type: 'error', code, message }),
    farewell: () => undefined,
  };
}

/** `/v1/listen/stream` and its cloud aliases: the contract's query and protocol. */
export const nativeLiveDialect: LiveDialect = {
  schema: {
    tags: ['streaming'],
    summary: 'Live transcription over WebSocket (upgrade); the key may be ?token=',
    querystring: streamQuerySchema,
    response: {
      101: { description: 'Switching to WebSocket: binary audio frames in; session_started, transcription, speech_started/ended and error messages out' },
      ...errorResponses,
    },
  },
  parse(raw) {
    const query = validatedFields(streamQuerySchema, raw);
    return { query, protocol: (session) => nativeProtocol(query, session) };
  },
};
