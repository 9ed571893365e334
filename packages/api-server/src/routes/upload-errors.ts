import { ApiError, type Logger } from '@stt/shared';
import { fileTooLarge } from '../url-fetch/url-fetch-errors.js';

/*
 * The client-facing errors of reading an upload: a multipart form the parser cannot read, an
 * upload that ends before it is complete, and the size limit. The parsers' own words (busboy's
 * "Unexpected end of multipart data", …) go to the log only.
 */

/** `parameter` of the errors about the shape of the body rather than one of its fields. */
const BODY = 'body';

export function uploadTooLarge(maxBytes: number): ApiError {
  return fileTooLarge(maxBytes, 'The upload');
}

export function oneFileOnly(parameter: string, audioField = 'audio'): ApiError {
  return new ApiError('INVALID_PARAMETER', `Send exactly one file, in the form field "${audioField}".`, { parameter });
}

/**
 * What the multipart parser's refusal means for the client (every one of them is about the body
 * the client sent): always a 4xx in the envelope, logged with the request id.
 */
export function unreadableForm(error: unknown, limits: { readonly fields: number }, maxUploadBytes: number, log: Pick<Logger, 'warn'>): ApiError {
  if (error instanceof ApiError) return error;
  const refusal = formRefusal(errorCode(error), limits, maxUploadBytes);
  log.warn({ reason: errorMessage(error), code: refusal.code }, 'Multipart body refused');
  return refusal;
}

/**
 * An error of the upload stream itself (the form's file part, or the raw body): the form ended
 * inside the file, or the client went away mid-upload.
 */
export function interruptedUpload(error: unknown, log: Pick<Logger, 'warn'>): ApiError {
  if (error instanceof ApiError) return error;
  log.warn({ reason: errorMessage(error) }, 'Upload ended before it was complete');
  return new ApiError('INVALID_PARAMETER', 'The upload ended before it was complete: the body is cut short or its form has no closing boundary.', {
    parameter: BODY,
  });
}

function formRefusal(code: string, limits: { readonly fields: number }, maxUploadBytes: number): ApiError {
  switch (code) {
    case 'FST_FILES_LIMIT':
      return oneFileOnly('audio');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new ApiError('INVALID_PARAMETER', `The form has more than ${limits.fields} fields besides the file.`, { parameter: BODY });
    case 'FST_REQ_FILE_TOO_LARGE':
      return uploadTooLarge(maxUploadBytes);
    case 'FST_PROTO_VIOLATION':
      return new ApiError('INVALID_PARAMETER', 'A form field has a reserved name (such as __proto__).', { parameter: BODY });
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new ApiError('INVALID_PARAMETER', 'A form field declared as application/json does not hold valid JSON.', { parameter: BODY });
    default:
      // busboy's own errors carry no code: a Content-Type without a boundary, a boundary that never
      // appears, a form cut short before its closing boundary, a client gone mid-form.
      return new ApiError(
        'INVALID_PARAMETER',
        'The multipart form could not be read: it needs the boundary of its Content-Type header, parts separated by that boundary, and the closing boundary at its end.',
        { parameter: BODY },
      );
  }
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
