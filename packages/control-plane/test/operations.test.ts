import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { REDACTED_PATHS } from '../src/logger.js';
import { call, dropTestDatabases, startServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

/** A real pino logger writing into memory, so tests read exactly what production would print. */
function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  return {
    lines,
    logger: pino({ level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink),
  };
}

describe.each(targets)('operations on $name', (target) => {
  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    const server = await startServer({ databaseUrl: target.freshUrl() });
    try {
      expect((await call(`${server.url}/healthz`)).body).toEqual({ status: 'ok' });
      const ready = await call(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', database: 'ok', draining: false });
      await call(`${server.url}/v1/apikeys`, { key: server.adminKey });
      const metrics = await call<string>(`${server.url}/metrics`);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(metrics.body).toMatch(
        /lobster_http_requests_total\{method="GET",route="\/v1\/apikeys",status="200"\} 1/,
      );
      expect(metrics.body).toContain('lobster_http_request_duration_seconds_bucket');
    } finally {
      await server.close();
    }
  });

  it('serves an OpenAPI document describing the API routes', async () => {
    const server = await startServer({
      databaseUrl: target.freshUrl(),
      publicUrl: 'https://lobster.example',
    });
    try {
      const doc = (await call(`${server.url}/openapi.json`)).body;
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.servers).toEqual([{ url: 'https://lobster.example' }]);
      expect(Object.keys(doc.paths)).toEqual(['/v1/whoami', '/v1/apikeys', '/v1/apikeys/{id}']);
      expect(doc.components.schemas.CreateApiKey).toMatchObject({
        required: ['name', 'scope'],
        additionalProperties: false,
        properties: { scope: { enum: ['read-only', 'read-write', 'admin', 'ingest'] } },
      });
    } finally {
      await server.close();
    }
  });

  it('puts a request id on every response and keeps a sane caller-supplied one', async () => {
    const server = await startServer({ databaseUrl: target.freshUrl() });
    try {
      const own = await call(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'trace-1234abcd' } });
      expect(own.headers.get('x-request-id')).toBe('trace-1234abcd');
      const junk = await call(`${server.url}/healthz`, {
        headers: { 'X-Request-Id': 'bad id\twith spaces' },
      });
      expect(junk.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
      const denied = await call(`${server.url}/v1/apikeys`);
      expect(denied.headers.get('x-request-id')).toMatch(/^req_/);
    } finally {
      await server.close();
    }
  });

  it('logs every request as JSON without any secret in it', async () => {
    const { lines, logger } = capturingLogger();
    const server = await startServer({ databaseUrl: target.freshUrl(), logger });
    try {
      const created = await call(`${server.url}/v1/apikeys?trace=1`, {
        method: 'POST',
        key: server.adminKey,
        body: { name: 'log check', scope: 'read-only' },
      });
      await call(`${server.url}/v1/apikeys?api_key=${created.body.key}`, { key: created.body.key });
      await call(`${server.url}/v1/apikeys`, { key: `lh_${'Z'.repeat(32)}` });
      const records = lines.map((l) => JSON.parse(l));
      const requests = records.filter((r) => r.msg === 'request');
      expect(requests.map((r) => [r.method, r.path, r.status])).toEqual([
        ['POST', '/v1/apikeys', 201],
        ['GET', '/v1/apikeys', 403],
        ['GET', '/v1/apikeys', 401],
      ]);
      expect(requests[0].requestId).toMatch(/^req_/);
      const all = lines.join('\n');
      for (const secret of [server.adminKey, created.body.key, `lh_${'Z'.repeat(32)}`])
        expect(all).not.toContain(secret);
    } finally {
      await server.close();
    }
  });

  it('shuts down gracefully: in-flight requests finish, new connections are refused', async () => {
    const server = await startServer({ databaseUrl: target.freshUrl() });
    // A request whose body arrives slowly is in flight while close() begins.
    const controller = new AbortController();
    let push!: (chunk: string) => void;
    let end!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        push = (s) => c.enqueue(new TextEncoder().encode(s));
        end = () => c.close();
      },
    });
    const inFlight = fetch(`${server.url}/v1/apikeys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
      signal: controller.signal,
    } as RequestInit);
    push('{"name":"during shutdown",');
    await new Promise((r) => setTimeout(r, 100));
    const closing = server.app.close(5_000);
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    push('"scope":"read-only"}');
    end();
    const res = await inFlight;
    expect(res.status).toBe(201);
    expect(((await res.json()) as { name: string }).name).toBe('during shutdown');
    await closing;
  });
});
