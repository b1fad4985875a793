import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { loggerOptions } from '../logging';
import { registerAdminRoutes } from './adminRoutes';
import { registerApiDocs } from './apiDocs';
import { registerCodecRoutes } from './codecRoutes';
import { registerConsentRoutes } from './consentRoutes';
import { registerCostRoutes } from './costRoutes';
import { registerConsole } from '../console/routes';
import type { HttpContext } from './context';
import { registerHealthRoutes } from './healthRoutes';
import { registerHighLevelDeliveryRoute } from './highLevelDeliveryRoute';
import { ApiMetrics } from '../metrics/apiMetrics';
import { HighLevelTokenStore } from '../providers/highlevel/tokenStore';
import { registerMetricsRoutes } from './metricsRoutes';
import { registerOAuthRoutes } from './oauthRoutes';
import { registerReplayRoutes } from './replayRoutes';
import { keepRawBodies } from './rawBody';
import { validationFailure } from './replies';
import { registerTemplateRoutes } from './templateRoutes';
import { registerTwilioWebhookRoute } from './twilioWebhookRoute';
import { registerWhatsAppWebhookRoutes } from './whatsAppWebhookRoute';

/** One log line per request, once it is answered (Fastify's default writes "incoming request" as well). */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/** The thin receivers: verify, validate, start or signal a workflow, answer. */
export function buildApp(given: HttpContext, options: { logStream?: NodeJS.WritableStream } = {}): FastifyInstance {
  const ctx: HttpContext = {
    ...given,
    metrics: given.metrics ?? new ApiMetrics(),
    tokens: given.tokens ?? new HighLevelTokenStore(given.db, given.box, { baseUrl: given.config.HIGHLEVEL_API_BASE_URL }),
  };
  const app = Fastify({
    logger: loggerOptions(ctx.config.LOG_LEVEL, options.logStream),
    bodyLimit: 4 * 1024 * 1024, // Meta's webhook payloads go up to 3 MB
    trustProxy: true,
    logController: new OneLinePerRequest(),
  });
  keepRawBodies(app);
  registerApiDocs(app);
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const invalid = validationFailure(error, request);
    if (invalid) return reply.code(400).send(invalid);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error');
    reply.code(status).send({ error: status === 500 ? 'internal error' : error.message });
  });
  registerMetricsRoutes(app, ctx.metrics as ApiMetrics);
  registerHealthRoutes(app, ctx);
  registerHighLevelDeliveryRoute(app, ctx);
  registerWhatsAppWebhookRoutes(app, ctx);
  registerTwilioWebhookRoute(app, ctx);
  const replays = registerReplayRoutes(app, ctx);
  registerAdminRoutes(app, ctx, replays);
  registerTemplateRoutes(app, ctx);
  registerConsentRoutes(app, ctx);
  registerCostRoutes(app, ctx);
  registerOAuthRoutes(app, ctx);
  registerCodecRoutes(app, ctx);
  registerConsole(app, ctx, replays);
  return app;
}
