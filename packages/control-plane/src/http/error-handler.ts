import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { ApiError, isApiError, MethodNotAllowed, RouteNotFound } from './errors.js';
import { errorBody, surfaceOf } from './surface.js';

/** Errors from Koa's own helpers (e.g. `ctx.throw`) carry `status` and `expose`. */
function fromHttpError(err: unknown): ApiError | null {
  const e = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    return new ApiError(e.status, 'BAD_REQUEST', String(e.message));
  }
  return null;
}

/** The router answers unknown paths and methods with a bare status; give them a body in our envelope. */
function unansweredRoute(status: number, method: string, path: string, allow: string): ApiError | null {
  if (status === 404) return new RouteNotFound(method, path);
  if (status === 405) return new MethodNotAllowed(method, path, allow.split(/,\s*/).filter(Boolean));
  if (status === 501) return new ApiError(501, 'NOT_IMPLEMENTED', `Method ${method} is not supported`);
  return null;
}

/**
 * The one place error responses are written: picks the envelope by surface, keeps the extra headers
 * an error asks for, and turns anything unexpected into a logged 500 with no internals in the body.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    let error: ApiError | null = null;
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null)
        error = unansweredRoute(ctx.status, ctx.method, ctx.path, ctx.response.get('Allow'));
    } catch (err) {
      error = isApiError(err) ? err : fromHttpError(err);
      if (!error) {
        logger.error({ err, requestId: ctx.state.requestId }, 'unhandled error');
        error = new ApiError(500, 'INTERNAL_ERROR', 'Internal server error');
      }
    }
    if (!error) return;
    ctx.status = error.status;
    for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
    ctx.body = errorBody(surfaceOf(ctx.path), error.code, error.message);
  };
}
