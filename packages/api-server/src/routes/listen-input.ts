import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '@stt/shared';

/** Where the audio of a request comes from; options come with it from query, form or JSON. */
export type AudioSource = { readonly kind: 'upload'; readonly stream: Readable } | { readonly kind: 'url'; readonly url: string };

/**
 * Reads a transcription request: multipart (`audio` file + fields), JSON (`url` + options) or
 * raw audio bytes (options in the query). `onAudio` is called as soon as the audio is known and
 * must consume an upload before returning, so fields after the file are still read: curl sends
 * `-F audio=@x -F punctuate=false` in that order. Both or neither of audio and url → 400.
 */
export async function readListenInput(
  request: FastifyRequest,
  onAudio: (source: AudioSource) => Promise<void>,
): Promise<{ fields: Record<string, unknown> }> {
  const fields: Record<string, unknown> = { ...(request.query as Record<string, unknown>) };
  let audio = false;

  if (request.isMultipart()) {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== 'audio' || audio) {
        part.file.resume();
        throw new ApiError('INVALID_PARAMETER', 'Send exactly one file, in the form field "audio".', { parameter: part.fieldname });
      }
      if (fields.url !== undefined) throw bothGiven();
      audio = true;
      await onAudio({ kind: 'upload', stream: part.file });
    }
  } else if (isJsonBody(request)) {
    Object.assign(fields, request.body);
  } else if (request.body !== undefined && request.headers['content-length'] !== '0') {
    if (fields.url !== undefined) throw bothGiven();
    audio = true;
    await onAudio({ kind: 'upload', stream: request.body as Readable });
  }

  const url = fields.url;
  if (url !== undefined && audio) throw bothGiven();
  if (url !== undefined) {
    if (typeof url !== 'string') throw new ApiError('INVALID_PARAMETER', 'url must be a string.', { parameter: 'url' });
    await onAudio({ kind: 'url', url });
  } else if (!audio) {
    throw new ApiError('MISSING_PARAMETER', 'Send audio: a multipart field "audio", a JSON body with "url", or the audio bytes as the body.');
  }
  return { fields };
}

function isJsonBody(request: FastifyRequest): request is FastifyRequest & { body: Record<string, unknown> } {
  return typeof request.body === 'object' && request.body !== null && !('pipe' in request.body);
}

const bothGiven = (): ApiError => new ApiError('INVALID_PARAMETER', 'Send either audio or url, not both.', { parameter: 'url' });
