import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InternalServerError, LobsterClient, RateLimitError, TimeoutError } from '../src/index.js';

/**
 * A plain node:http server at the network boundary, answering from a script: a stand-in for an overloaded
 * or failing control plane (the client under test is the real one).
 */
type Step = (req: IncomingMessage, res: ServerResponse) => void;
interface Seen {
  method: string;
  idempotencyKey: string | undefined;
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  if (!server) return;
  const closing = server;
  server = undefined;
  closing.closeAllConnections();
  await new Promise((resolve) => closing.close(resolve));
});

async function scripted(steps: Step[]): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', idempotencyKey: req.headers['idempotency-key'] as string, body });
      const step = steps[seen.length - 1] ?? steps.at(-1)!;
      step(req, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'X-Request-Id': `req_${status}`,
      ...headers,
    });
    res.end(JSON.stringify(body));
  };
const created = json(201, { success: true, data: { id: 'trap-1', name: 'T' } });
const rateLimited = json(
  429,
  { success: false, error: 'Rate limit exceeded; retry in 1 s', code: 'RATE_LIMITED' },
  { 'Retry-After': '1' },
);
const unavailable = json(503, { success: false, error: 'Try again', code: 'UNAVAILABLE' });

describe('retries', () => {
  it('retries a 429 after Retry-After and a 503 with backoff, with one Idempotency-Key', async () => {
    const { url, seen } = await scripted([rateLimited, unavailable, created]);
    const lobster = new LobsterClient({ apiKey: 'lh_test', baseUrl: url, maxRetries: 2 });
    const started = Date.now();
    const trap = await lobster.traps.create({ name: 'T', path: '/t', type: 'page' });
    expect(trap).toEqual({ id: 'trap-1', name: 'T' });
    expect(seen).toHaveLength(3);
    expect(seen[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(seen.map((s) => s.idempotencyKey)).size).toBe(1);
    expect(new Set(seen.map((s) => s.body)).size).toBe(1);
    // Retry-After: 1 was honoured (a lower bound, not a timing assertion on speed).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('each POST gets its own key; a caller-given key is sent as is', async () => {
    const { url, seen } = await scripted([created]);
    const lobster = new LobsterClient({ apiKey: 'lh_test', baseUrl: url });
    await lobster.traps.create({ name: 'T', path: '/t', type: 'page' });
    await lobster.traps.create({ name: 'T', path: '/t', type: 'page' }, { idempotencyKey: 'mine-123' });
    expect(seen[0]!.idempotencyKey).not.toBe(seen[1]!.idempotencyKey);
    expect(seen[1]!.idempotencyKey).toBe('mine-123');
  });

  it('GETs carry no Idempotency-Key and are retried too', async () => {
    const { url, seen } = await scripted([unavailable, json(200, { success: true, data: [] })]);
    const lobster = new LobsterClient({ apiKey: 'lh_test', baseUrl: url });
    expect((await lobster.traps.list()).data).toEqual([]);
    expect(seen.map((s) => [s.method, s.idempotencyKey])).toEqual([
      ['GET', undefined],
      ['GET', undefined],
    ]);
  });

  it('gives up after maxRetries with the last error, typed', async () => {
    const { url, seen } = await scripted([unavailable]);
    const lobster = new LobsterClient({ apiKey: 'lh_test', baseUrl: url, maxRetries: 1 });
    const err = await lobster.traps.list().then(
      () => null,
      (e: unknown) => e,
    );
    expect(InternalServerError.is(err)).toBe(true);
    expect(err).toMatchObject({ status: 503, code: 'UNAVAILABLE', requestId: 'req_503' });
    expect(seen).toHaveLength(2);

    const limited = await scripted([rateLimited]);
    const noRetry = new LobsterClient({ apiKey: 'lh_test', baseUrl: limited.url, maxRetries: 0 });
    const rl = await noRetry.whoami().catch((e: unknown) => e);
    expect(RateLimitError.is(rl)).toBe(true);
    expect(rl).toMatchObject({ status: 429, retryAfter: 1 });
    expect(limited.seen).toHaveLength(1);
  });

  it('a 4xx is not retried', async () => {
    const { url, seen } = await scripted([
      json(400, { error: { code: 'VALIDATION_ERROR', message: 'name: required' } }),
    ]);
    const lobster = new LobsterClient({ apiKey: 'lh_test', baseUrl: url, maxRetries: 3 });
    await expect(lobster.apiKeys.create({ name: '', scope: 'admin' })).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      message: 'name: required',
    });
    expect(seen).toHaveLength(1);
  });
});

describe('timeouts and abort', () => {
  const never: Step = () => {
    // never answers
  };

  it('a request with no answer within timeoutMs fails with TimeoutError', async () => {
    const { url, seen } = await scripted([never]);
    const lobster = new LobsterClient({ apiKey: 'lh_test', baseUrl: url, timeoutMs: 200, maxRetries: 1 });
    const err = await lobster.whoami().catch((e: unknown) => e);
    expect(TimeoutError.is(err)).toBe(true);
    expect(err).toMatchObject({ status: 0, code: 'TIMEOUT' });
    expect(seen).toHaveLength(2); // a timed-out attempt is retried like a dropped connection
  });

  it('the caller’s signal aborts at once, with the caller’s reason, and is not retried', async () => {
    const { url, seen } = await scripted([never]);
    const lobster = new LobsterClient({ apiKey: 'lh_test', baseUrl: url, maxRetries: 3 });
    const controller = new AbortController();
    const pending = lobster.whoami({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user gave up')), 100);
    await expect(pending).rejects.toThrow('user gave up');
    expect(seen).toHaveLength(1);
  });

  it('an abort during the wait between retries stops the retries', async () => {
    const { url, seen } = await scripted([json(503, {}, { 'Retry-After': '30' })]);
    const lobster = new LobsterClient({ apiKey: 'lh_test', baseUrl: url, maxRetries: 3 });
    const controller = new AbortController();
    const pending = lobster.whoami({ signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(1);
  });
});

describe('a retried POST against the real control plane', () => {
  it('a response lost on the way back is retried with the same key and creates nothing twice', async () => {
    const { startServer, removeTestDatabases } = await import('./server.js');
    const cp = await startServer();
    try {
      let calls = 0;
      const replayed: (string | null)[] = [];
      const lobster = cp.client({
        // The first POST reaches the server and is committed, then its response is lost (as when a
        // connection drops after the server answered).
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          if (init?.method === 'POST' && calls++ === 0) {
            await res.body?.cancel();
            throw new TypeError('fetch failed: socket hang up');
          }
          replayed.push(res.headers.get('idempotent-replayed'));
          return res;
        },
      });
      const trap = await lobster.traps.create({ name: 'Once', path: '/once', type: 'page' });
      expect(calls).toBe(2);
      expect(replayed).toEqual(['true']);
      const matching = (await lobster.traps.list()).data.filter((t) => t.path === '/once');
      expect(matching.map((t) => t.id)).toEqual([trap.id]);
    } finally {
      await cp.close();
      removeTestDatabases();
    }
  });
});
