import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '@stt/shared';
import { healthPathItems } from './health-paths.js';
import { jsonSchemaOf, zodRouteSchemas } from './zod-route-schema.js';
import { errorBodySchema } from './error-body-schema.js';

/** Where the document and its browsable view are served. */
export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/**
 * Collects every route registered after it into an OpenAPI 3.1 document. Routes declare the
 * zod schemas their handlers parse with; Fastify does not validate with them a second time
 * (the handlers do, merging query, form and JSON fields), nor serialise with them.
 */
export function registerOpenApiCollector(app: FastifyInstance, healthPaths: readonly string[]): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Self-hosted speech-to-text API',
        version: VERSION,
        description: 'Batch and live transcription, health, and the OpenAI- and Deepgram-compatible routes. Every route but health and these docs needs `Authorization: Token <license key>` (or `Bearer`).',
      },
      components: {
        securitySchemes: {
          token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`Token <license key>`' },
          bearer: { type: 'http', scheme: 'bearer', description: 'The license key as a bearer token' },
        },
        schemas: { Error: jsonSchemaOf(errorBodySchema, 'output') },
      },
      security: [{ token: [] }, { bearer: [] }],
    },
    transform: zodRouteSchemas,
    transformObject: (documents) => {
      const document = 'openapiObject' in documents ? documents.openapiObject : documents.swaggerObject;
      return { ...document, paths: { ...healthPathItems(healthPaths), ...document.paths } };
    },
  });
}

/** `GET /openapi.json` and the browsable docs at `/docs`: public, like the health routes (they hold no secrets). */
export async function registerDocsRoutes(scope: FastifyInstance): Promise<void> {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
  });
  scope.get(OPENAPI_PATH, { schema: { hide: true } }, async (_request, reply) => reply.send(scope.swagger()));
  await scope.register(swaggerUi, { routePrefix: DOCS_PATH });
}
