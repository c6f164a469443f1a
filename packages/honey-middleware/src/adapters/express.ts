import { IncomingMessage, type ServerResponse } from 'node:http';
import { createHoneyEngine, type HoneyEngine } from '../engine.js';
import type { HoneyOptions } from '../options.js';
import { type FrameworkRequest, NodeHoneyRequest } from '../request.js';
import { installTripwires, type TripwirePlan } from '../tripwires/response.js';
import type { HoneySession, HoneyVerdict } from '../verdict.js';
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

// Express gives every request and response object a hidden class of its own (it swaps their prototype
// per request), so every property added to one, and even using one as a WeakMap key, makes V8 build a new
// hidden class: measured at about 40 µs per request, more than all the rest of the middleware. So nothing
// is added to them: the session and the tripwire state go into `res.locals` (a plain object Express makes
// for every response), and `req.lobsterHoney` is an accessor on the app's request prototype.
const SESSION = Symbol.for('lobster.honey.session');
type Locals = Record<symbol, unknown> & { lobsterTripwires?: unknown };
type ExpressResponseLike = ServerResponse & { locals?: Locals };
const localsOf = (res: ServerResponse): Locals | undefined => {
  const locals = (res as ExpressResponseLike).locals;
  return typeof locals === 'object' && locals !== null ? locals : undefined;
};
const withAccessor = new WeakSet<object>();
const optedOut = (res: ServerResponse): boolean => localsOf(res)?.lobsterTripwires === false;

/**
 * The app's `request` prototype, which mounted sub-apps inherit from. Not Express's own base `request`:
 * an accessor there (a dictionary-mode object) measured 30 µs per request, as every property Express
 * stores on a request then takes V8's slow path.
 */
function appRequestPrototype(req: IncomingMessage): object | null {
  const proto = Object.getPrototypeOf(req) as object | null;
  return proto && proto !== IncomingMessage.prototype ? proto : null;
}

function defineAccessor(proto: object): void {
  withAccessor.add(proto);
  Object.defineProperty(proto, 'lobsterHoney', {
    configurable: true,
    enumerable: false,
    get(this: { res?: ServerResponse }): HoneySession | undefined {
      return this.res ? (localsOf(this.res)?.[SESSION] as HoneySession | undefined) : undefined;
    },
    // An app that assigns its own value gets a plain property, as it would without the accessor.
    set(this: object, value: unknown) {
      Object.defineProperty(this, 'lobsterHoney', {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    },
  });
}

function setSession(req: ExpressRequestLike, res: ServerResponse, session: HoneySession): void {
  const locals = localsOf(res);
  const proto = locals && (req as { res?: unknown }).res === res ? appRequestPrototype(req) : null;
  if (!locals || !proto) {
    req.lobsterHoney = session;
    return;
  }
  if (!withAccessor.has(proto)) defineAccessor(proto);
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
    if (v instanceof Promise)
      v.then(
        (verdict) => apply(engine, hreq, res, verdict, next),
        () => next(),
      );
    else apply(engine, hreq, res, v, next);
  };
  return Object.assign(middleware, { engine, close: () => engine.close() });
}
