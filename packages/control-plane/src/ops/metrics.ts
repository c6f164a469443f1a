import type { Middleware } from 'koa';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One registry per app instance, so several apps in one process (tests) never share counters. */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'lobster_http_requests_total',
    help: 'HTTP requests by method, matched route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'lobster_http_request_duration_seconds',
    help: 'HTTP request duration by method and matched route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(withProcessMetrics: boolean) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Labels use the route pattern (`/v1/apikeys/:id`), never the raw path, to keep cardinality bounded. */
  middleware(): Middleware {
    return async (ctx, next) => {
      const started = process.hrtime.bigint();
      try {
        await next();
      } finally {
        const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.requests.inc({ method: ctx.method, route, status: String(ctx.status) });
        this.duration.observe({ method: ctx.method, route }, seconds);
      }
    };
  }
}
