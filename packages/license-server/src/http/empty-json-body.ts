import type { FastifyInstance } from 'fastify';

/**
 * Parses JSON bodies as Fastify does, except that an empty one is no body: a proxy may POST
 * `/v1/licenses/validate` with a JSON content type and nothing in it.
 */
export function acceptEmptyJsonBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser<string>('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(request, body, done);
  });
}
