import type { FastifySchema } from 'fastify';
import type { StreamCommand, StreamQuery, WorkerStreamEvent } from '@stt/shared';

/** A JSON message to a live client. */
export type LiveMessage = Readonly<Record<string, unknown>>;

/** The session a protocol speaks for: its id, and the model (and its engine) serving it. */
export interface LiveSession {
  readonly sessionId: string;
  readonly model: string;
  readonly engine: string;
}

/**
 * How one API speaks to its live clients: what a session starts with, how a worker's event reads,
 * which text frames are commands, how an error is told and what a normal close is preceded by.
 * Relaying, failover, limits and close codes are the relay's, the same for every API.
 */
export interface LiveProtocol {
  /** The first message of a session, if the API has one. */
  opening(): LiveMessage | undefined;
  /** A worker's event as the client's messages (none, one or several). */
  messages(event: WorkerStreamEvent): readonly LiveMessage[];
  /** A client's text frame as a command; undefined when it is none. */
  command(text: string): StreamCommand | undefined;
  /** What the client is told a text frame must be, when it was no command. */
  readonly commandHint: string;
  /** An error told to the client before the close. */
  error(code: string, message: string): LiveMessage;
  /** The last message before a close that is no error (the session's summary, say), if the API has one. */
  farewell(audioSeconds: number): LiveMessage | undefined;
  /** Sees each audio frame the client sent, as sent (for a checksum, say). */
  heard?(bytes: Buffer): void;
}

/** How one API's live route reads its query: the stream's options, and its sessions' protocol. */
export interface LiveDialect {
  /** The route as the OpenAPI document shows it: its query is the zod schema `parse` reads with. */
  readonly schema: FastifySchema;
  /** The upgrade's query; a bad value throws ApiError (refused before the upgrade). */
  parse(query: unknown): { readonly query: StreamQuery; protocol(session: LiveSession): LiveProtocol };
}
