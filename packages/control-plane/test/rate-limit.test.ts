import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, dropTestDatabases, startInstance, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

describe.each(targets)('rate limiting on $name', (target) => {
  let server: TestServer;
  let now: number;
  let databaseUrl: string;

  beforeEach(async () => {
    now = 1_800_000_000_000;
    databaseUrl = target.freshUrl();
    server = await startServer({ databaseUrl, clock: () => now });
  });
  afterEach(() => server.close());

  const get = (key = server.adminKey, url = server.url) => call(`${url}/v1/apikeys`, { key });
  const headers = (res: { headers: Headers }) => ({
    limit: res.headers.get('x-ratelimit-limit'),
    remaining: res.headers.get('x-ratelimit-remaining'),
    reset: res.headers.get('x-ratelimit-reset'),
  });

  it('allows 100 requests per 60 s, counting down exactly, and answers the 101st with 429', async () => {
    const windowEnds = String(Math.ceil((now + 60_000) / 1000));
    for (let i = 1; i <= 100; i++) {
      const res = await get();
      expect(res.status).toBe(200);
      expect(headers(res)).toEqual({ limit: '100', remaining: String(100 - i), reset: windowEnds });
    }
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      error: { code: 'RATE_LIMITED', message: 'Rate limit exceeded; retry in 60 s' },
    });
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(headers(limited)).toEqual({ limit: '100', remaining: '0', reset: windowEnds });
  });

  it('slides: requests leave the window one by one as they age out', async () => {
    for (let i = 0; i < 60; i++) await get(); // at t0
    now += 30_000;
    for (let i = 0; i < 40; i++) await get(); // at t0 + 30 s
    now += 29_999;
    expect((await get()).status).toBe(429);
    now += 1; // t0 + 60 s: the first 60 have left the window
    const res = await get();
    expect(res.status).toBe(200);
    expect(headers(res).remaining).toBe('59');
    // The oldest request left is from t0 + 30 s, so the next slot frees at t0 + 90 s.
    expect(headers(res).reset).toBe(String(Math.ceil((now - 60_000 + 30_000 + 60_000) / 1000)));
  });

  it('counts each key on its own', async () => {
    const other = await call(`${server.url}/v1/apikeys`, {
      method: 'POST',
      key: server.adminKey,
      body: { name: 'second', scope: 'admin' },
    });
    for (let i = 0; i < 99; i++) await get();
    expect((await get()).status).toBe(429);
    const res = await get(other.body.key);
    expect(res.status).toBe(200);
    expect(headers(res).remaining).toBe('99');
  });

  it('is configurable', async () => {
    const small = await startInstance({
      databaseUrl,
      clock: () => now,
      rateLimit: { limit: 3, windowMs: 10_000 },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(server.adminKey, small.url)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await small.app.close(1_000);
    }
  });

  it('leaves public routes alone', async () => {
    const res = await call(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
  });

  if (target.name === 'postgres') {
    it('is shared by two instances on one PostgreSQL', async () => {
      const second = await startInstance({ databaseUrl, clock: () => now });
      try {
        const results = await Promise.all(
          Array.from({ length: 120 }, (_, i) => get(server.adminKey, i % 2 ? second.url : server.url)),
        );
        expect(results.filter((r) => r.status === 200)).toHaveLength(100);
        expect(results.filter((r) => r.status === 429)).toHaveLength(20);
        const remaining = results
          .filter((r) => r.status === 200)
          .map((r) => Number(r.headers.get('x-ratelimit-remaining')))
          .sort((a, b) => a - b);
        expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
      } finally {
        await second.app.close(1_000);
      }
    });
  }
});
