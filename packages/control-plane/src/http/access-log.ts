import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/**
 * One line per request. Only the path is logged, never the query string (it can carry credentials,
 * e.g. a canary `?api_key=`), and never a header value.
 */
export function accessLog(logger: Logger): Middleware {
  if (!logger.isLevelEnabled('info')) return (_ctx, next) => next();
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          org: ctx.state.principal?.orgId,
        },
        'request',
      );
    }
  };
}
