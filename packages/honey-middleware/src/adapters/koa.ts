import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createHoneyEngine, type HoneyEngine } from '../engine.js';
import type { HoneyOptions } from '../options.js';
import { type HoneyRequest, type RequestBody, readLimited } from '../request.js';
import { installTripwires } from '../tripwires/response.js';
import type { HoneySession, HoneyVerdict } from '../verdict.js';

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

function toRequest(ctx: KoaContextLike): HoneyRequest {
  return {
    method: ctx.method,
    url: ctx.originalUrl,
    headers: ctx.headers,
    remoteAddress: ctx.req.socket?.remoteAddress,
    protocol: ctx.protocol,
    readBody: (limit): Promise<RequestBody> =>
      ctx.request.body !== undefined
        ? Promise.resolve({ kind: 'parsed', value: ctx.request.body })
        : readLimited(ctx.req, limit),
  };
}

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
  const middleware = async (ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void> => {
    const hreq = toRequest(ctx);
    const decided = engine.handle(hreq);
    // Most requests are decided synchronously: awaiting a plain value would still cost a microtask turn.
    const v = decided instanceof Promise ? await decided : decided;
    ctx.state.lobsterHoney = v.session;
    if (write(ctx, v)) return;
    const after = v.action === 'continue' ? v.afterResponse : undefined;
    if (after) ctx.res.once('close', () => after(ctx.res.statusCode));
    const plan = v.action === 'continue' && !v.deferredTrap ? engine.tripwires(hreq, v.session) : null;
    if (plan) installTripwires(ctx.res, plan, () => ctx.state.lobsterTripwires === false);
    await next();
    // precedence 'app': the trap answers only where no route of the app did.
    if (v.action === 'continue' && v.deferredTrap && ctx.status === 404 && ctx.body == null) {
      write(ctx, await engine.serveTrap(hreq));
    }
  };
  return Object.assign(middleware, { engine, close: () => engine.close() });
}
