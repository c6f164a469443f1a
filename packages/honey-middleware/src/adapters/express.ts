import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createHoneyEngine, type HoneyEngine } from '../engine.js';
import type { HoneyOptions } from '../options.js';
import { type HoneyRequest, type RequestBody, readLimited } from '../request.js';
import { installTripwires } from '../tripwires/response.js';
import type { HoneySession, HoneyVerdict, RespondVerdict } from '../verdict.js';

/** The parts of an Express (4 or 5) request the adapter reads: a Node request plus what Express adds. */
export interface ExpressRequestLike extends IncomingMessage {
  originalUrl?: string;
  protocol?: string;
  body?: unknown;
  lobsterHoney?: HoneySession;
}

export type ExpressNext = (err?: unknown) => void;

/** `res.locals` of Express; `lobsterTripwires = false` keeps this response free of a page tripwire. */
type ResponseWithLocals = ServerResponse & { locals?: { lobsterTripwires?: unknown } };

/** An Express middleware that also carries its engine, for `close()` on shutdown. */
export interface ExpressHoneyMiddleware {
  (req: ExpressRequestLike, res: ServerResponse, next: ExpressNext): void;
  readonly engine: HoneyEngine;
  close(): Promise<void>;
}

declare global {
  // Express exposes its request type only through this global namespace.
  namespace Express {
    interface Request {
      /** The session verdict of `@lobster/honey-middleware`. */
      lobsterHoney?: HoneySession;
    }
  }
}

function toRequest(req: ExpressRequestLike): HoneyRequest {
  return {
    method: req.method ?? 'GET',
    url: req.originalUrl ?? req.url ?? '/',
    headers: req.headers as IncomingHttpHeaders,
    remoteAddress: req.socket?.remoteAddress,
    protocol: req.protocol ?? 'http',
    // A body parser that already ran wins; otherwise read the raw stream, capped.
    readBody: (limit): Promise<RequestBody> =>
      req.body !== undefined ? Promise.resolve({ kind: 'parsed', value: req.body }) : readLimited(req, limit),
  };
}

function write(res: ServerResponse, v: RespondVerdict): void {
  if (res.headersSent) return;
  res.writeHead(v.status, v.headers);
  res.end(v.body);
}

/** With `precedence: 'app'`: let the app answer first and serve the trap only if it answered 404. */
function deferTrap(engine: HoneyEngine, hreq: HoneyRequest, res: ServerResponse): void {
  const end = res.end;
  const patched = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
    res.end = end;
    if (res.statusCode !== 404 || res.headersSent)
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    void engine.serveTrap(hreq).then((v) => {
      if (v.action !== 'respond') return (end as (...a: unknown[]) => ServerResponse).apply(res, args);
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      write(res, v);
    });
    return res;
  };
  res.end = patched as ServerResponse['end'];
}

/**
 * Express middleware (Express 5 and 4): serves traps, answers token callbacks, spots returning canary
 * credentials, plants page tripwires in the app's HTML (opt out per response with
 * `res.locals.lobsterTripwires = false`) and exposes the session verdict on `req.lobsterHoney`.
 * @example app.use(lobsterHoney({ apiKey: process.env.LOBSTER_API_KEY, endpoint: 'http://localhost:4000' }))
 */
export function lobsterHoney(options?: HoneyOptions): ExpressHoneyMiddleware {
  const engine = createHoneyEngine(options);
  const middleware = (req: ExpressRequestLike, res: ServerResponse, next: ExpressNext): void => {
    const hreq = toRequest(req);
    const apply = (v: HoneyVerdict): void => {
      req.lobsterHoney = v.session;
      if (v.action === 'respond') {
        write(res, v);
        return;
      }
      if (v.deferredTrap) deferTrap(engine, hreq, res);
      else {
        const plan = engine.tripwires(hreq, v.session);
        if (plan)
          installTripwires(res, plan, () => (res as ResponseWithLocals).locals?.lobsterTripwires === false);
      }
      const after = v.afterResponse;
      if (after) res.once('close', () => after(res.statusCode));
      next();
    };
    const v = engine.handle(hreq);
    if (v instanceof Promise) v.then(apply, () => next());
    else apply(v);
  };
  return Object.assign(middleware, { engine, close: () => engine.close() });
}
