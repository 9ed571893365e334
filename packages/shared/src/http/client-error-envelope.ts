import { maxHeaderSize, STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import { ApiError } from '../errors/api-error.js';
import type { Logger } from '../logging/logger.js';
import { requestIdFrom } from './request-id.js';

/** The client's X-Request-ID among the raw bytes Node could not parse, when it got that far. */
const RAW_REQUEST_ID = /\r\nx-request-id:[ \t]*([^\r\n]*?)[ \t]*\r\n/i;

/**
 * Answers what Node's HTTP parser refuses before any route sees it (headers over the size limit,
 * a header with a bare CR or LF, a malformed request line, …) in the contract's envelope, with a
 * request id (the client's own when its X-Request-ID was read), then closes the connection as
 * Node does. Fastify's `clientErrorHandler`.
 */
export function clientErrorEnvelope(logger: Logger): (error: ConnectionError, socket: Socket) => void {
  return (error, socket) => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // Node hands over the bytes it could not parse as a Buffer (Fastify's type says otherwise).
    const raw: unknown = error.rawPacket;
    const requestId = requestIdFrom(Buffer.isBuffer(raw) ? RAW_REQUEST_ID.exec(raw.toString('latin1'))?.[1] : undefined);
    const apiError = refusal(error.code);
    logger.warn({ request_id: requestId, reason: error.code ?? error.message }, 'Unparsable request refused');
    // Node's own rule: never write into a response already under way on this connection.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (socket.writable && (inFlight === null || inFlight === undefined || !inFlight.headersSent)) {
      const body = JSON.stringify(apiError.toBody(requestId));
      socket.write(
        `HTTP/1.1 ${apiError.statusCode} ${STATUS_CODES[apiError.statusCode]}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-ID: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

function refusal(code: string | undefined): ApiError {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new ApiError('INVALID_PARAMETER', `The request headers are larger than this server accepts (${maxHeaderSize / 1024} KB).`, {
      parameter: 'headers',
    });
  }
  if (code?.startsWith('HPE_') === true) {
    return new ApiError('INVALID_PARAMETER', 'The request is not valid HTTP/1.1: its request line or a header is malformed.', {
      parameter: 'headers',
    });
  }
  return new ApiError('INVALID_PARAMETER', 'The request could not be read.', { parameter: 'headers' });
}
