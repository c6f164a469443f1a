import { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { createHoneyEngine, type HoneyEngine } from '../engine.js';
import type { HoneyOptions } from '../options.js';
import { type FrameworkRequest, NodeHoneyRequest } from '../request.js';
import { installTripwires, type TripwirePlan } from '../tripwires/response.js';
import { type HoneySession, type HoneyVerdict, isPending } from '../verdict.js';
import { type Locals, localsOf, optedOut } from './express-state.js';
import { applyVerdict } from './node-response.js';

/** A Node request listener: what `http.createServer` takes, and what an Express or Connect app is. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The listener that `withLobsterHoney` returns, with its engine for `close()` on shutdown. */
export interface NodeHoneyListener {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly engine: HoneyEngine;
  close(): Promise<void>;
}

/** A request as the wrapped listener sees it: the session verdict is an own property. */
export type NodeHoneyRequestLike = IncomingMessage & { lobsterHoney?: HoneySession };

declare global {
  // Express exposes its request type only through this global namespace.
  namespace Express {
    interface Request {
      /** The session verdict of `@lobster/honey-middleware`. */
      lobsterHoney?: HoneySession;
    }
  }
}

/**
 * Before the app, Node knows the protocol only from the socket (`X-Forwarded-Proto` counts under the
 * `trustProxy` option, not Express's `trust proxy` setting). A body is parsed only for a trap the app
 * answered first (`precedence: 'app'`), by the app's own parser if it had one.
 */
const NODE: FrameworkRequest<IncomingMessage> = {
  protocol: (req) => ((req.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http'),
  parsedBody: (req) => (req as { body?: unknown }).body,
};

/**
 * When the listener is an Express app (4 or 5: it has the prototypes Express gives every request and
 * response it takes over), the response prototype of the Express module itself, which every app's
 * `response` inherits from; else null. Tripwire wrappers there also cover an Express app that another one
 * calls as a function (vhost style) instead of mounting it, whose responses never see this app's
 * `response`.
 */
function expressResponseBase(listener: NodeListener): ServerResponse | null {
  const { request, response } = listener as { request?: unknown; response?: unknown };
  if (!(request instanceof IncomingMessage) || !(response instanceof ServerResponse)) return null;
  let proto = response;
  for (;;) {
    const parent = Object.getPrototypeOf(proto) as ServerResponse | null;
    if (!parent || parent === ServerResponse.prototype) return proto;
    proto = parent;
  }
}

/**
 * Wraps a Node request listener, typically an Express app (`http.createServer(withLobsterHoney(app))`),
 * so the engine sees every request before the app does: it serves traps, answers token callbacks, spots
 * returning canary credentials, plants page tripwires in the app's HTML (on Express, opt out per
 * response with `res.locals.lobsterTripwires = false`) and sets the session verdict on
 * `req.lobsterHoney`, then hands the request to the listener.
 *
 * The same engine as `app.use(lobsterHoney())`, minus Express's cost: Express gives every request and
 * response a hidden class of its own once it has them (see the package README), so the middleware's
 * reads of them are slow; here they are read while they are still Node's own objects. It runs before all
 * of the app's middleware, as if it were the first `app.use`.
 * @example http.createServer(withLobsterHoney(app, { apiKey: process.env.LOBSTER_API_KEY })).listen(3000)
 */
export function withLobsterHoney(listener: NodeListener, options?: HoneyOptions): NodeHoneyListener {
  if (typeof listener !== 'function') throw new TypeError('withLobsterHoney: listener must be a function');
  const engine = createHoneyEngine(options);
  const base = expressResponseBase(listener);
  // Any listener: the tripwire wrappers and their state are own properties of the response. An Express
  // app: the state goes into a `res.locals` made before the app runs (Express keeps one it finds), found
  // there by the wrappers on Express's response prototype. The response gets no property of ours, and
  // Express, finding `res.locals`, skips the store that built a hidden class per request: a hello world
  // serves 1.05 of its bare throughput behind this, against 0.959 when the wrappers and their state were
  // own properties of the response (bench/RESULTS.md).
  const install = (res: ServerResponse, plan: TripwirePlan): void =>
    installTripwires(res, plan, optedOut, res, base ? localsOf : undefined, base);
  // The session is an own property of the request, set while it is still Node's: it survives an app that
  // replaces `res.locals`, or hands the request to an Express app it did not mount.
  const apply = (hreq: NodeHoneyRequest<IncomingMessage>, res: ServerResponse, v: HoneyVerdict): void => {
    const req = hreq.raw as NodeHoneyRequestLike;
    req.lobsterHoney = v.session;
    if (base && !localsOf(res)) (res as ServerResponse & { locals: Locals }).locals = Object.create(null);
    if (applyVerdict(engine, hreq, res, v, install)) listener(req, res);
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const hreq = new NodeHoneyRequest(req.method ?? 'GET', req.url ?? '/', req.headers, req, req, NODE);
    const v = engine.handle(hreq);
    if (isPending(v))
      v.then(
        (verdict) => apply(hreq, res, verdict),
        () => listener(req, res),
      );
    else apply(hreq, res, v);
  };
  return Object.assign(handler, { engine, close: () => engine.close() });
}
