import type { FastifyInstance } from 'fastify';
import type { RequestOutcomes } from './request-outcomes.js';

/**
 * Counts the answer of every transcription request of `scope` (those its handler took up), except
 * a callback job's 202: the job's own end is counted by whoever finishes it.
 */
export function countAnsweredRequests(scope: FastifyInstance, outcomes: RequestOutcomes): void {
  scope.addHook('onResponse', (request, reply, done) => {
    if (request.usage !== undefined && !request.usage.deferred) outcomes.record(reply.statusCode);
    done();
  });
}

/**
 * Counts every stream upgrade of `scope` refused with an HTTP answer (an accepted one answers
 * nothing here: its session's end is counted), once its key was accepted, as for batch requests.
 */
export function countRefusedStreams(scope: FastifyInstance, outcomes: RequestOutcomes): void {
  scope.addHook('onResponse', (request, reply, done) => {
    if (request.license !== undefined) outcomes.record(reply.statusCode);
    done();
  });
}
