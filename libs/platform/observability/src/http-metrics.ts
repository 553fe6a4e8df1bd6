import { type FastifyInstance } from 'fastify';
import { Histogram, register } from 'prom-client';

const requestDuration =
  (register.getSingleMetric('keyway_http_request_duration_seconds') as Histogram | undefined) ??
  new Histogram({
    name: 'keyway_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });

/**
 * Times every request. The route label is the template (`/v1/keys/:id`), never the raw URL, so
 * ids and query strings cannot blow up the series count; unmatched requests share one label.
 */
export function recordHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route.startsWith('/health') || route === '/metrics') return;
    requestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

/**
 * For routes served outside Fastify (a service's own hot path): the same histogram, the route
 * template as label.
 */
export function observeHttpRequest(
  method: string,
  route: string,
  status: number,
  seconds: number,
): void {
  requestDuration.observe({ method, route, status: String(status) }, seconds);
}
