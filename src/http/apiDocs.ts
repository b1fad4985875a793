import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';

/**
 * Routes declare their zod schemas (fastify-type-provider-zod): Fastify validates requests with them (a failure
 * becomes the app's 400, src/http/replies.ts validationFailure) and @fastify/swagger turns them into the OpenAPI 3
 * document at GET /docs/json, browsable at /docs (Swagger UI, its assets served by the api itself: works offline).
 * Both are public: they describe the API and hold no secrets; every admin operation still needs the token.
 */
export function registerApiDocs(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the answers; replies are written as before (JSON.stringify), not re-encoded by zod.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Registered before the routes: @fastify/swagger collects them as they are added.
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'HighLevel WhatsApp provider: admin API',
        description: 'Operator API: locations, messages, templates and rules, consent, replays. Every route needs `Authorization: Bearer $ADMIN_TOKEN`.',
        version: '1',
      },
      components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the deployment' } } },
    },
    // Only routes that declare a schema are described (the vendor webhooks verify and parse their raw bodies themselves).
    transform: (document) => (document.schema ? jsonSchemaTransform(document) : { schema: { hide: true }, url: document.url }),
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
}
