import { IncomingMessage, type ServerResponse } from 'node:http';
import { createHoneyEngine, type HoneyEngine } from '../engine.js';
import type { HoneyOptions } from '../options.js';
import { type FrameworkRequest, NodeHoneyRequest } from '../request.js';
import { installTripwires, type TripwirePlan } from '../tripwires/response.js';
import { type HoneySession, type HoneyVerdict, isPending } from '../verdict.js';
import { ensureSessionAccessor, localsOf, optedOut, SESSION } from './express-state.js';
import { applyVerdict } from './node-response.js';

/** The parts of an Express (4 or 5) request the adapter reads: a Node request plus what Express adds. */
export interface ExpressRequestLike extends IncomingMessage {
  originalUrl?: string;
  protocol?: string;
  body?: unknown;
  lobsterHoney?: HoneySession;
}

export type ExpressNext = (err?: unknown) => void;

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

/** How the engine reads an Express request's protocol (an Express getter) and parsed body, when needed. */
const EXPRESS: FrameworkRequest<ExpressRequestLike> = {
  protocol: (req) => req.protocol ?? 'http',
  parsedBody: (req) => req.body,
};

function honeyRequest(req: ExpressRequestLike): NodeHoneyRequest<ExpressRequestLike> {
  return new NodeHoneyRequest(
    req.method ?? 'GET',
    req.originalUrl ?? req.url ?? '/',
    req.headers,
    req,
    req,
    EXPRESS,
  );
}

/**
 * The app's `request` prototype, which mounted sub-apps inherit from (see `ensureSessionAccessor`), or
 * null for a request Express has not taken over.
 */
function appRequestPrototype(req: IncomingMessage): object | null {
  const proto = Object.getPrototypeOf(req) as object | null;
  return proto && proto !== IncomingMessage.prototype ? proto : null;
}

function setSession(req: ExpressRequestLike, res: ServerResponse, session: HoneySession): void {
  const locals = localsOf(res);
  const proto = locals && (req as { res?: unknown }).res === res ? appRequestPrototype(req) : null;
  if (!locals || !proto) {
    req.lobsterHoney = session;
    return;
  }
  ensureSessionAccessor(proto);
  locals[SESSION] = session;
}

/** Page tripwires on the app's response prototype, their state in `res.locals` (see installTripwires). */
const install = (res: ServerResponse, plan: TripwirePlan): void =>
  installTripwires(res, plan, optedOut, res, localsOf);

function apply(
  engine: HoneyEngine,
  hreq: NodeHoneyRequest<ExpressRequestLike>,
  res: ServerResponse,
  v: HoneyVerdict,
  next: ExpressNext,
): void {
  setSession(hreq.owner, res, v.session);
  if (applyVerdict(engine, hreq, res, v, install)) next();
}

/**
 * Express middleware (Express 5 and 4): serves traps, answers token callbacks, spots returning canary
 * credentials, plants page tripwires in the app's HTML (opt out per response with
 * `res.locals.lobsterTripwires = false`) and exposes the session verdict on `req.lobsterHoney`.
 * @example app.use(lobsterHoney({ apiKey: process.env.LOBSTER_API_KEY, endpoint: 'http://localhost:4000' }))
 */
export function lobsterHoney(options?: HoneyOptions): ExpressHoneyMiddleware {
  const engine = createHoneyEngine(options);
  // No closure per request: most requests are decided synchronously and applied right away.
  const middleware = (req: ExpressRequestLike, res: ServerResponse, next: ExpressNext): void => {
    const hreq = honeyRequest(req);
    const v = engine.handle(hreq);
    if (isPending(v))
      v.then(
        (verdict) => apply(engine, hreq, res, verdict, next),
        () => next(),
      );
    else apply(engine, hreq, res, v, next);
  };
  return Object.assign(middleware, { engine, close: () => engine.close() });
}
