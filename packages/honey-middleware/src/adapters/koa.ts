import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createHoneyEngine, type HoneyEngine } from '../engine.js';
import type { HoneyOptions } from '../options.js';
import { type FrameworkRequest, type HoneyRequest, NodeHoneyRequest } from '../request.js';
import { installTripwires } from '../tripwires/response.js';
import { type HoneySession, type HoneyVerdict, isPending } from '../verdict.js';

/** The parts of a Koa (3 or 2) context the adapter uses. */
export interface KoaContextLike {
  method: string;
  originalUrl: string;
  headers: IncomingHttpHeaders;
  protocol: string;
  req: IncomingMessage;
  res: ServerResponse;
  request: { body?: unknown };
  /** `lobsterTripwires = false` keeps this response free of a page tripwire. */
  state: { lobsterHoney?: HoneySession; lobsterTripwires?: unknown } & Record<string, unknown>;
  status: number;
  body: unknown;
  set(field: Record<string, string>): void;
}

export interface KoaHoneyMiddleware {
  (ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void>;
  readonly engine: HoneyEngine;
  close(): Promise<void>;
}

/** How the engine reads a Koa context's protocol and parsed body, only when it needs them. */
const KOA: FrameworkRequest<KoaContextLike> = {
  protocol: (ctx) => ctx.protocol,
  parsedBody: (ctx) => ctx.request.body,
};

/** The engine's view of a Koa context, straight from Node's request (Koa's `ctx.method` and `ctx.headers` are two getters deep). */
function honeyRequest(ctx: KoaContextLike): NodeHoneyRequest<KoaContextLike> {
  const req = ctx.req;
  return new NodeHoneyRequest(req.method ?? 'GET', ctx.originalUrl, req.headers, req, ctx, KOA);
}

const optedOut = (ctx: KoaContextLike): boolean => ctx.state.lobsterTripwires === false;

function write(ctx: KoaContextLike, v: HoneyVerdict): boolean {
  if (v.action !== 'respond') return false;
  ctx.status = v.status;
  ctx.set(v.headers);
  ctx.body = v.body;
  return true;
}

/**
 * Koa middleware (Koa 3 and 2): serves traps, answers token callbacks, spots returning canary
 * credentials, plants page tripwires in the app's HTML (opt out per response with
 * `ctx.state.lobsterTripwires = false`) and exposes the session verdict on `ctx.state.lobsterHoney`.
 * @example app.use(lobsterHoney({ apiKey: process.env.LOBSTER_API_KEY }))
 */
export function lobsterHoney(options?: HoneyOptions): KoaHoneyMiddleware {
  const engine = createHoneyEngine(options);
  // Not an async function: most requests are decided synchronously and go on with `next()`'s own
  // promise, so the middleware adds no promise and no microtask turn of its own.
  const middleware = (ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void> => {
    const hreq = honeyRequest(ctx);
    const decided = engine.handle(hreq);
    if (isPending(decided)) return decided.then((v) => proceed(engine, ctx, next, hreq, v));
    return proceed(engine, ctx, next, hreq, decided);
  };
  return Object.assign(middleware, { engine, close: () => engine.close() });
}

function proceed(
  engine: HoneyEngine,
  ctx: KoaContextLike,
  next: () => Promise<unknown>,
  hreq: HoneyRequest,
  v: HoneyVerdict,
): Promise<void> {
  ctx.state.lobsterHoney = v.session;
  if (write(ctx, v)) return Promise.resolve();
  if (v.action === 'continue' && v.deferredTrap) {
    // precedence 'app': the trap answers only where no route of the app did.
    return next().then(async () => {
      if (ctx.status === 404 && ctx.body == null) write(ctx, await engine.serveTrap(hreq));
    });
  }
  const after = v.action === 'continue' ? v.afterResponse : undefined;
  if (after) ctx.res.once('close', () => after(ctx.res.statusCode));
  const plan = v.action === 'continue' ? engine.tripwires(hreq, v.session) : null;
  if (plan) installTripwires(ctx.res, plan, optedOut, ctx);
  return next() as Promise<void>;
}
