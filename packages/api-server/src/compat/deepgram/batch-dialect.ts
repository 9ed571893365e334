import type { BatchDialect } from '../../routes/batch-route.js';
import { parseDeepgramBatchOptions, type DeepgramBatchOptions } from './batch-options.js';
import { deepgramBatchResponse } from './batch-response.js';

/**
 * Deepgram's `POST /v1/listen`: the audio as the raw body (or JSON `{url}`), the options in the
 * query (read before the audio), Deepgram's answer.
 */
export const deepgramBatchDialect: BatchDialect<DeepgramBatchOptions> = {
  // Deepgram takes no forms; a multipart upload still works, in a field named like ours.
  audioField: 'audio',
  optionsAfterAudio: false,
  parse: parseDeepgramBatchOptions,
  respond: (reply, answer) => reply.send(deepgramBatchResponse(answer)),
};
