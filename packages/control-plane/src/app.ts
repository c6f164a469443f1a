import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import compose from 'koa-compose';
import type { Logger } from 'pino';
import { apiKeyRoutes } from './apikeys/routes.js';
import { ApiKeyVerifier } from './apikeys/verifier.js';
import { authenticate } from './auth/authenticate.js';
import { JwtAuthenticator } from './auth/jwt.js';
import { whoamiRoutes } from './auth/routes.js';
import { openDataSource } from './db/data-source.js';
import { Database } from './db/database.js';
import { EventHub, type StreamOptions } from './events/hub.js';
import { EventReader } from './events/reader.js';
import { eventRoutes } from './events/routes.js';
import { alertRoutes } from './honey/alerts/routes.js';
import { type AlertDeliveryOptions, AlertWorker } from './honey/alerts/worker.js';
import { analyticsRoutes } from './honey/analytics-routes.js';
import { Beacon } from './honey/beacon.js';
import { ingestRoutes } from './honey/ingest-routes.js';
import { scheduleRetention } from './honey/retention.js';
import { sessionRoutes } from './honey/session-routes.js';
import { trapRoutes } from './honey/trap-routes.js';
import { accessLog } from './http/access-log.js';
import { errorHandler } from './http/error-handler.js';
import { idempotency } from './http/idempotency.js';
import { MemoryRateLimitStore, PostgresRateLimitStore, rateLimit } from './http/rate-limit.js';
import { requestId } from './http/request-id.js';
import { createLogger } from './logger.js';
import { Metrics } from './ops/metrics.js';
import { opsRoutes } from './ops/routes.js';
import { SecretBox } from './secrets.js';
import type { Services } from './services.js';

export interface AppOptions {
  /** `sqlite:PATH`, `sqlite::memory:` or `postgres://…[?schema=NAME]`. */
  databaseUrl: string;
  /** Master key; a random one per process when omitted (fine for tests, not for production). */
  secret?: string;
  publicUrl?: string;
  /** Accept JWTs verified against this JWKS (e.g. Clerk's). */
  jwt?: { jwksUrl: string; issuer?: string } | null;
  /** Default: 100 requests per 60 s per key. */
  rateLimit?: { limit: number; windowMs: number };
  logger?: Logger;
  /** Milliseconds since the epoch; tests move time instead of sleeping. */
  clock?: () => number;
  /** Trap hits older than this are purged in the background (default 90). */
  retentionDays?: number;
  /** Also export Node process metrics (once per process: the CLI turns it on). */
  processMetrics?: boolean;
  /** SSE event streams: heartbeat, per-key cap, slow-reader bound, poll interval (defaults in events/hub.ts). */
  eventStreams?: Partial<StreamOptions>;
  /** Let alert channels point at private, loopback and link-local addresses (default false). */
  allowPrivateWebhooks?: boolean;
  /** Alert delivery tuning (polling, retries, timeouts); the defaults suit production. */
  alerts?: AlertDeliveryOptions;
}

export interface ControlPlane {
  readonly koa: Koa;
  readonly db: Database;
  readonly services: Services;
  /** Listens on `host:port` (port 0 = any free port) and resolves with the base URL. */
  listen(port?: number, host?: string): Promise<{ url: string; server: Server }>;
  /** Graceful: stops accepting, lets in-flight requests finish (up to `graceMs`), closes the database. */
  close(graceMs?: number): Promise<void>;
}

/** The paths that need a credential; everything else is public (ops, traps, callbacks, gateway). */
const AUTHENTICATED = /^\/(v1|dashboard\/api|api\/v1)(\/|$)/;

/**
 * Builds the control plane: opens the database (running migrations), wires the middleware chain and
 * the routes. Nothing here reads `process.env`; `main.ts` turns the environment into these options.
 */
export async function createApp(options: AppOptions): Promise<ControlPlane> {
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? createLogger('info');
  const { dataSource, dialect } = await openDataSource(options.databaseUrl);
  const db = new Database(dataSource, dialect);
  const apiKeys = new ApiKeyVerifier(db, clock, logger);
  const jwt = options.jwt ? new JwtAuthenticator(options.jwt, db, clock) : null;
  const services: Services = { db, clock, logger, apiKeys };
  const metrics = new Metrics(options.processMetrics ?? false);
  const store = dialect === 'postgres' ? new PostgresRateLimitStore(dataSource) : new MemoryRateLimitStore();
  let draining = false;
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const box = new SecretBox(secret);
  const allowPrivate = options.allowPrivateWebhooks ?? false;

  // One flat router for every authenticated route: nested routers would compose a chain per request.
  const api = new Router();
  whoamiRoutes(api);
  apiKeyRoutes(api, services);
  trapRoutes(api, services);
  ingestRoutes(api, services);
  sessionRoutes(api, services);
  analyticsRoutes(api, services);
  const eventReader = new EventReader(db);
  const eventHub = new EventHub(
    db,
    eventReader,
    options.databaseUrl,
    logger,
    metrics.registry,
    options.eventStreams,
  );
  eventRoutes(api, eventReader, eventHub);
  alertRoutes(api, services, { box, allowPrivate, timeoutMs: options.alerts?.timeoutMs ?? 10_000 });

  // The router's context type is wider than Koa's; at run time the router fills in what it adds.
  const authenticated = compose([
    authenticate(apiKeys, jwt),
    rateLimit(store, { ...(options.rateLimit ?? { limit: 100, windowMs: 60_000 }), clock }),
    idempotency(db, clock),
    api.routes() as Koa.Middleware,
    api.allowedMethods() as Koa.Middleware,
  ]);
  const beacon = new Beacon(db, secret, clock, logger);
  const alertWorker = new AlertWorker(db, box, clock, logger, allowPrivate, options.alerts);
  const retention = scheduleRetention(db, options.retentionDays ?? 90, clock, logger);
  const ops = opsRoutes(db, metrics, () => draining, options.publicUrl ?? 'http://127.0.0.1:4000');

  const koa = new Koa();
  koa.keys = [secret];
  koa.use(requestId());
  koa.use(accessLog(logger));
  koa.use(metrics.middleware());
  koa.use(errorHandler(logger));
  koa.use(ops.routes());
  koa.use(ops.allowedMethods());
  koa.use(beacon.middleware());
  koa.use((ctx, next) => (AUTHENTICATED.test(ctx.path) ? authenticated(ctx, next) : next()));

  const servers = new Set<Server>();
  return {
    koa,
    db,
    services,
    async listen(port = 0, host = '127.0.0.1') {
      const server = createServer(koa.callback());
      servers.add(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      return { url: `http://${host}:${address.port}`, server };
    },
    async close(graceMs = 10_000) {
      draining = true;
      // Streams never go idle by themselves: end them first so their connections can close.
      await eventHub.close();
      await Promise.all(
        [...servers].map(
          (server) =>
            new Promise<void>((resolve) => {
              // Connections that finish their request while we wait go idle; close them as they do.
              const sweep = setInterval(() => server.closeIdleConnections(), 50);
              const force = setTimeout(() => server.closeAllConnections(), graceMs);
              server.close(() => {
                clearInterval(sweep);
                clearTimeout(force);
                resolve();
              });
              server.closeIdleConnections();
            }),
        ),
      );
      retention.stop();
      await beacon.close();
      await alertWorker.stop();
      await db.close();
    },
  };
}
