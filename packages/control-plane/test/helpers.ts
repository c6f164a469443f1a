import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { type AppOptions, type ControlPlane, createApp } from '../src/app.js';
import { createOrgWithAdminKey } from '../src/orgs/bootstrap.js';

/**
 * Every database suite runs on SQLite (a temporary file, so two app instances can share it) and, when
 * LOBSTER_TEST_DATABASE_URL is set, on PostgreSQL in a schema of its own that is dropped afterwards.
 */
export interface DatabaseTarget {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database URL each call. */
  freshUrl(): string;
}

const created: { dirs: string[]; schemas: string[] } = { dirs: [], schemas: [] };

export const targets: DatabaseTarget[] = [
  {
    name: 'sqlite',
    freshUrl() {
      const dir = mkdtempSync(join(tmpdir(), 'lobster-test-'));
      created.dirs.push(dir);
      return `sqlite:${join(dir, 'lobster.sqlite')}`;
    },
  },
];

const pgUrl = process.env.LOBSTER_TEST_DATABASE_URL;
if (pgUrl) {
  targets.push({
    name: 'postgres',
    freshUrl() {
      const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      created.schemas.push(schema);
      const url = new URL(pgUrl);
      url.searchParams.set('schema', schema);
      return url.toString();
    },
  });
}

/** Removes every database this file created (call from afterAll). */
export async function dropTestDatabases(): Promise<void> {
  for (const dir of created.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  const schemas = created.schemas.splice(0);
  if (!pgUrl || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export const silentLogger = pino({ level: 'silent' });

export interface TestServer {
  app: ControlPlane;
  url: string;
  /** Admin key of the org created for the test. */
  adminKey: string;
  orgId: string;
  close(): Promise<void>;
}

/** A real control plane on a loopback port, with one org and its admin key. */
export async function startServer(options: AppOptions): Promise<TestServer> {
  const app = await createApp({ logger: silentLogger, ...options });
  const { url } = await app.listen(0);
  const { org, apiKey } = await createOrgWithAdminKey(
    app.db,
    { name: 'Acme' },
    (options.clock ?? Date.now)(),
  );
  return { app, url, adminKey: apiKey, orgId: org.id, close: () => app.close(1_000) };
}

/** A second instance on the same database (no new org). */
export async function startInstance(options: AppOptions): Promise<{ app: ControlPlane; url: string }> {
  const app = await createApp({ logger: silentLogger, ...options });
  const { url } = await app.listen(0);
  return { app, url };
}

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch + JSON, with a Bearer key when given. Bodies default to `any` so assertions stay terse. */
// biome-ignore lint/suspicious/noExplicitAny: test convenience
export async function call<T = any>(
  url: string,
  init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.Authorization = `Bearer ${init.key}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Creates an API key of `scope` in the server's org (through the API) and returns the key itself. */
export async function newKey(
  server: { url: string; adminKey: string },
  scope: string,
  name = scope,
): Promise<string> {
  const res = await call(`${server.url}/v1/apikeys`, {
    method: 'POST',
    key: server.adminKey,
    body: { name, scope },
  });
  if (res.status !== 201) throw new Error(`creating a ${scope} key answered ${res.status}`);
  return res.body.key;
}
