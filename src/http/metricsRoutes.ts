import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../metrics/apiMetrics';
import { DELIVERY_ROUTE } from './highLevelDeliveryRoute';

/** GET /metrics in Prometheus text; every answered request counted by route template, method and status. */
export function registerMetricsRoutes(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    metrics.requests.inc({ route, method: request.method, status });
    if (route === DELIVERY_ROUTE) metrics.deliveryAck.observe({ status }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
