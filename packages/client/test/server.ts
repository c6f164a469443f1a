import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppOptions, type ControlPlane, createApp, createOrgWithAdminKey } from '@lobster/control-plane';
import { pino } from 'pino';
import { LobsterClient, type LobsterClientOptions } from '../src/index.js';

/** Tests make many calls in a burst; the default 100 per minute is not what they exercise. */
const UNLIMITED = { limit: 1_000_000, windowMs: 60_000 };

export interface TestServer {
  app: ControlPlane;
  url: string;
  port: number;
  adminKey: string;
  orgId: string;
  databaseUrl: string;
  /** A client on this server with the admin key (and any overrides). */
  client(overrides?: Partial<LobsterClientOptions>): LobsterClient;
  /** Stops this instance and starts another on the same database and port (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const dirs: string[] = [];

/** A real control plane on a loopback port (SQLite in a temp dir), with one org and its admin key. */
export async function startServer(options: Partial<AppOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lobster-client-'));
  dirs.push(dir);
  const appOptions: AppOptions = {
    databaseUrl: `sqlite:${join(dir, 'lobster.sqlite')}`,
    secret: 'client-test-secret-client-test-secret',
    logger: pino({ level: 'silent' }),
    rateLimit: UNLIMITED,
    ...options,
  };
  let app = await createApp(appOptions);
  const { url } = await app.listen(0);
  const { org, apiKey } = await createOrgWithAdminKey(app.db, { name: 'Acme' }, Date.now());
  const server: TestServer = {
    app,
    url,
    port: Number(new URL(url).port),
    adminKey: apiKey,
    orgId: org.id,
    databaseUrl: appOptions.databaseUrl,
    client: (overrides = {}) => new LobsterClient({ apiKey, baseUrl: url, ...overrides }),
    async restart() {
      await app.close(1_000);
      app = await createApp(appOptions);
      await app.listen(server.port);
      server.app = app;
    },
    close: () => app.close(1_000),
  };
  return server;
}

/** Removes the temporary databases (call from afterAll). */
export function removeTestDatabases(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Posts trap hits the way a site's middleware does, with an ingest key. */
export async function ingest(
  server: TestServer,
  ingestKey: string,
  hits: Record<string, unknown>[],
): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ingestKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ site: 'shop.example.com', hits }),
  });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
}

/** The wire hit the control plane's own tests use (the middleware's ingest contract). */
export { wireHit } from '../../control-plane/test/fixtures.js';
