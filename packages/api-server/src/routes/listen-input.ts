import type { Readable } from 'node:stream';
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '@stt/shared';
import { oneFileOnly, unreadableForm } from './upload-errors.js';

/** Where the audio of a request comes from; options come with it from query, form or JSON. */
export type AudioSource = { readonly kind: 'upload'; readonly stream: Readable } | { readonly kind: 'url'; readonly url: string };

/** What a multipart form may hold besides its file (whose own limit is MAX_UPLOAD_MB). */
export const FORM_LIMITS = { files: 1, fields: 32, fieldSize: 64 * 1024 } as const;

/**
 * The bytes a form may spend on each part besides its value: busboy's part-header limit (80 KiB,
 * not configurable through @fastify/multipart) and the boundary lines around it.
 */
const PART_OVERHEAD_BYTES = 80 * 1024 + 512;

/**
 * The largest body that can carry an upload of `maxUploadBytes`: raw audio bytes are the upload
 * itself; a form adds at most its fields and the headers of its parts. A body that declares more
 * (Content-Length) can be refused before any of it is read.
 */
export function maxBodyBytes(request: FastifyRequest, maxUploadBytes: number): number {
  if (!request.isMultipart()) return maxUploadBytes;
  const parts = FORM_LIMITS.fields + FORM_LIMITS.files;
  return maxUploadBytes + parts * PART_OVERHEAD_BYTES + FORM_LIMITS.fields * FORM_LIMITS.fieldSize;
}

/**
 * Reads a transcription request: multipart (the `audioField` file, `audio` natively, + fields), JSON (`url` + options) or
 * raw audio bytes (options in the query). `onAudio` is called as soon as the audio is known, with
 * the fields read before it (the query's, a form's fields before its file, a JSON body's), and
 * must consume an upload before returning, so fields after the file are still read: curl sends
 * `-F audio=@x -F punctuate=false` in that order. Both or neither of audio and url → 400; a form
 * the parser cannot read → 400 INVALID_PARAMETER naming `body`.
 */
export async function readListenInput(
  request: FastifyRequest,
  maxUploadBytes: number,
  audioField: string,
  onAudio: (source: AudioSource, fieldsSoFar: Readonly<Record<string, unknown>>) => Promise<void>,
): Promise<{ fields: Record<string, unknown> }> {
  const fields: Record<string, unknown> = { ...(request.query as Record<string, unknown>) };
  let audio = false;

  if (request.isMultipart()) {
    for await (const part of formParts(request, maxUploadBytes)) {
      if (part.type === 'field') {
        addField(fields, part.fieldname, fieldValue(part));
        continue;
      }
      if (part.fieldname !== audioField || audio) {
        part.file.resume();
        throw oneFileOnly(part.fieldname, audioField);
      }
      if (fields.url !== undefined) throw bothGiven();
      audio = true;
      await onAudio({ kind: 'upload', stream: part.file }, { ...fields });
    }
  } else if (isUploadBody(request.body)) {
    if (request.headers['content-length'] !== '0') {
      if (fields.url !== undefined) throw bothGiven();
      audio = true;
      await onAudio({ kind: 'upload', stream: request.body }, { ...fields });
    }
  } else if (request.body !== undefined) {
    // A JSON body: `null`, `"text"` or `[…]` parse as JSON too, but carry no fields.
    if (!isPlainObject(request.body)) throw new ApiError('INVALID_PARAMETER', 'A JSON body must be an object, such as {"url": "…"}.', { parameter: 'body' });
    Object.assign(fields, request.body);
  }

  const url = fields.url;
  if (url !== undefined && audio) throw bothGiven();
  if (url !== undefined) {
    if (typeof url !== 'string') throw new ApiError('INVALID_PARAMETER', 'url must be a string.', { parameter: 'url' });
    await onAudio({ kind: 'url', url }, { ...fields });
  } else if (!audio) {
    throw new ApiError('MISSING_PARAMETER', `Send audio: a multipart field "${audioField}", a JSON body with "url", or the audio bytes as the body.`);
  }
  return { fields };
}

/**
 * The form's parts in order. The parser's refusals (no boundary, a form cut short, too many
 * fields, …) become contract errors here; errors of what the caller does with a part pass as they are.
 */
async function* formParts(request: FastifyRequest, maxUploadBytes: number): AsyncGenerator<Multipart> {
  const parts = request.parts()[Symbol.asyncIterator]();
  for (;;) {
    const next = await parts.next().catch((error: unknown) => {
      throw unreadableForm(error, FORM_LIMITS, maxUploadBytes, request.log);
    });
    if (next.done === true) return;
    yield next.value;
  }
}

/**
 * A form field into `fields`: a later one of the same name replaces it, except a list field
 * (`name[]`, as OpenAI's SDKs send `timestamp_granularities[]`), whose values are collected.
 */
function addField(fields: Record<string, unknown>, name: string, value: unknown): void {
  const earlier = fields[name];
  fields[name] = name.endsWith('[]') && earlier !== undefined ? [earlier, value].flat() : value;
}

/** A field's value; one the parser cut short is refused rather than used cut. */
function fieldValue(part: Extract<Multipart, { type: 'field' }>): unknown {
  if (part.fieldnameTruncated) throw new ApiError('INVALID_PARAMETER', 'A form field has an overlong name.', { parameter: 'body' });
  if (part.valueTruncated) {
    throw new ApiError('INVALID_PARAMETER', `The value of ${part.fieldname} is longer than ${FORM_LIMITS.fieldSize / 1024} KB.`, {
      parameter: part.fieldname,
    });
  }
  return part.value;
}

/** Raw audio bytes: the body parser passes them on as the request stream, unread. */
function isUploadBody(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && 'pipe' in body;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const bothGiven = (): ApiError => new ApiError('INVALID_PARAMETER', 'Send either audio or url, not both.', { parameter: 'url' });
