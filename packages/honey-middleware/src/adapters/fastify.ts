import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createHoneyEngine, type HoneyEngine } from '../engine.js';
import type { HoneyOptions } from '../options.js';
import { type FrameworkRequest, type HoneyRequest, NodeHoneyRequest } from '../request.js';
import { installTripwires } from '../tripwires/response.js';
import { type HoneySession, type HoneyVerdict, isPending } from '../verdict.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The session verdict of `@lobster/honey-middleware`. */
    lobsterHoney: HoneySession | null;
  }
  interface FastifyReply {
    /** Set to `false` to keep this response free of a page tripwire (default true). */
    lobsterTripwires: boolean;
  }
}

/** A Fastify plugin that also carries its engine; the engine closes with the Fastify instance. */
export type FastifyHoneyPlugin = FastifyPluginAsync & { readonly engine: HoneyEngine };

/**
 * How the engine reads a Fastify request: `request.protocol` only when needed, and no parsed body, as
 * `onRequest` runs before Fastify parses one (the raw stream is still unread when a trap needs it).
 */
const FASTIFY: FrameworkRequest<FastifyRequest> = {
  protocol: (request) => request.protocol,
  parsedBody: () => undefined,
};

const optedOut = (reply: FastifyReply): boolean => reply.lobsterTripwires === false;

function send(reply: FastifyReply, v: HoneyVerdict): boolean {
  if (v.action !== 'respond') return false;
  reply.code(v.status).headers(v.headers).send(v.body);
  return true;
}

type Done = (error?: Error) => void;

function decide(
  engine: HoneyEngine,
  request: FastifyRequest,
  reply: FastifyReply,
  hreq: HoneyRequest,
  v: HoneyVerdict,
  done: Done,
): void {
  // precedence 'app': a route of the app wins; the trap answers only where Fastify found none.
  if (v.action === 'continue' && v.deferredTrap && request.is404) {
    engine.serveTrap(hreq).then((trap) => apply(engine, request, reply, hreq, trap, done), done);
  } else {
    apply(engine, request, reply, hreq, v, done);
  }
}

function apply(
  engine: HoneyEngine,
  request: FastifyRequest,
  reply: FastifyReply,
  hreq: HoneyRequest,
  v: HoneyVerdict,
  done: Done,
): void {
  request.lobsterHoney = v.session;
  if (send(reply, v)) return; // the reply is sent: Fastify skips the route, and done() must not run
  const after = v.action === 'continue' ? v.afterResponse : undefined;
  if (after) reply.raw.once('close', () => after(reply.raw.statusCode));
  const plan = v.action === 'continue' && !v.deferredTrap ? engine.tripwires(hreq, v.session) : null;
  if (plan) installTripwires(reply.raw, plan, optedOut, reply);
  done();
}

/**
 * A Fastify 5 plugin (`await app.register(lobsterHoney())`): serves traps, answers token callbacks,
 * spots returning canary credentials, plants page tripwires in the app's HTML (opt out per response with
 * `reply.lobsterTripwires = false`) and exposes the session verdict on `request.lobsterHoney`.
 * @example await app.register(lobsterHoney({ apiKey: process.env.LOBSTER_API_KEY }))
 */
export function lobsterHoney(options?: HoneyOptions): FastifyHoneyPlugin {
  const engine = createHoneyEngine(options);
  const plugin = async (app: FastifyInstance): Promise<void> => {
    app.decorateRequest('lobsterHoney', null);
    app.decorateReply('lobsterTripwires', true);
    // A callback hook, not an async one: most requests are decided synchronously, and an async hook
    // costs every one of them a promise and a microtask turn.
    app.addHook('onRequest', (request, reply, done) => {
      const hreq = new NodeHoneyRequest(
        request.method,
        request.url,
        request.headers,
        request.raw,
        request,
        FASTIFY,
      );
      const v = engine.handle(hreq);
      if (isPending(v)) v.then((verdict) => decide(engine, request, reply, hreq, verdict, done), done);
      else decide(engine, request, reply, hreq, v, done);
    });
    app.addHook('onClose', async () => engine.close());
  };
  const wrapped = fp(plugin, { name: '@lobster/honey-middleware', fastify: '5.x' });
  return Object.assign(wrapped, { engine });
}
