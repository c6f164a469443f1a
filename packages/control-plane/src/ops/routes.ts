import Router from '@koa/router';
import type { Database } from '../db/database.js';
import type { Metrics } from './metrics.js';
import { openApiRoute } from './openapi.js';

/** The OpenAPI document, liveness, readiness (database reachable, not draining) and Prometheus metrics; no auth, no rate limit. */
export function opsRoutes(
  db: Database,
  metrics: Metrics,
  isDraining: () => boolean,
  publicUrl: string,
): Router {
  const router = new Router();
  openApiRoute(router, publicUrl);
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    let database = 'ok';
    try {
      await db.ping();
    } catch {
      database = 'unreachable';
    }
    const ready = database === 'ok' && !isDraining();
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready', database, draining: isDraining() };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
