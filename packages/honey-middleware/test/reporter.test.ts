import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lobsterHoney } from '../src/adapters/express.js';
import type { HitRecord } from '../src/index.js';
import type { ResolvedReporterOptions } from '../src/options.js';
import { parseRetryAfter, Reporter } from '../src/reporter.js';
import { uuidv7 } from '../src/uuid.js';
import { eventually, type Receiver, startReceiver } from './helpers.js';
import { listen } from './servers.js';

function hit(n: number, site = 'shop.example'): HitRecord {
  return {
    id: uuidv7(),
    type: 'trap_hit',
    ts: new Date().toISOString(),
    site,
    method: 'GET',
    path: `/n/${n}`,
    query: null,
    status: 200,
    ip: '203.0.113.1',
    user_agent: 'test',
    accept: null,
    referer: null,
    fingerprint: '0123456789ab',
    trap: null,
    token: null,
    extraction: null,
    canary: null,
    canaries_planted: [],
    robots_disallow: [],
    login: null,
    agent: null,
    is_bot: false,
    probe: null,
  };
}

const base: ResolvedReporterOptions = {
  batchSize: 10,
  flushIntervalMs: 20,
  maxQueue: 50,
  timeoutMs: 200,
  retryBaseMs: 10,
  maxRetryDelayMs: 2000,
  closeTimeoutMs: 3000,
  fetch: undefined,
};

describe('reporter', () => {
  let rx: Receiver;
  let errors: Error[];
  const make = (o: Partial<ResolvedReporterOptions> = {}) =>
    new Reporter({
      url: `${rx.url}/api/v1/ingest`,
      apiKey: 'lh_test',
      options: { ...base, ...o },
      userAgent: 'test',
      onError: (e) => errors.push(e),
    });
  beforeEach(async () => {
    rx = await startReceiver();
    errors = [];
  });
  afterEach(() => rx.close());

  it('batches by size and by time, with the wire contract', async () => {
    const r = make({ flushIntervalMs: 100 });
    const sent = Array.from({ length: 25 }, (_, i) => hit(i));
    for (const h of sent) r.enqueue(h);
    await eventually(() => expect(rx.unique.size).toBe(25));
    expect(rx.batches.map((b) => b.hits.length)).toEqual([10, 10, 5]);
    expect(rx.batches[0]).toMatchObject({ site: 'shop.example', auth: 'Bearer lh_test' });
    expect(rx.batches.flatMap((b) => b.hits)).toEqual(sent);
    await eventually(() => expect(r.stats()).toMatchObject({ sent: 25, dropped: 0, queued: 0, inFlight: 0 }));
    await r.close();
  });

  it('keeps batches to one site each', async () => {
    const r = make();
    r.enqueue(hit(1, 'a.example'));
    r.enqueue(hit(2, 'b.example'));
    r.enqueue(hit(3, 'b.example'));
    await r.close();
    expect(rx.batches.map((b) => [b.site, b.hits.map((h) => h.site)])).toEqual([
      ['a.example', ['a.example']],
      ['b.example', ['b.example', 'b.example']],
    ]);
  });

  it('loses nothing and duplicates nothing through refusals, 500s and timeouts, then recovers', async () => {
    const r = make();
    const sent: HitRecord[] = [];
    for (const mode of ['refuse', 'error', 'hang'] as const) {
      rx.mode = mode;
      for (let i = 0; i < 12; i++) {
        const h = hit(sent.length);
        sent.push(h);
        r.enqueue(h);
      }
      await eventually(() =>
        expect(rx.attempts.filter((a) => a.mode === mode).length).toBeGreaterThanOrEqual(2),
      );
    }
    rx.mode = 'ok';
    await eventually(() => expect(rx.unique.size).toBe(36));
    const received = rx.batches.flatMap((b) => b.hits.map((h) => h.id));
    expect(new Set(received).size).toBe(received.length);
    expect([...rx.unique.keys()].sort()).toEqual(sent.map((h) => h.id).sort());
    expect(errors.length).toBeGreaterThanOrEqual(6);
    expect(errors.every((e) => (e as { code?: string }).code === 'HONEY_REPORT_FAILED')).toBe(true);
    await eventually(() => expect(r.stats()).toMatchObject({ sent: 36, dropped: 0 }));
    await r.close();
  });

  it('retries a batch whose answer was cut off, and the receiver keeps each hit once', async () => {
    const r = make();
    rx.mode = 'cut';
    const sent = Array.from({ length: 10 }, (_, i) => hit(i));
    for (const h of sent) r.enqueue(h);
    await eventually(() => expect(rx.attempts.length).toBeGreaterThanOrEqual(1));
    rx.mode = 'ok';
    await eventually(() => expect(r.stats()).toMatchObject({ sent: 10, duplicates: 10, queued: 0 }));
    expect([...rx.unique.keys()].sort()).toEqual(sent.map((h) => h.id).sort());
    expect(errors.some((e) => /ingest request failed/.test(e.message))).toBe(true);
    await r.close();
  });

  it('counts a hit it cannot serialise as rejected, tells onError, and sends the others', async () => {
    const r = make();
    const bad = { ...hit(0), probe: { size: 1n } } as unknown as HitRecord;
    expect(() => r.enqueue(bad)).not.toThrow();
    r.enqueue(hit(1));
    await r.close();
    expect(r.stats()).toMatchObject({ sent: 1, rejected: 1, queued: 0 });
    expect(rx.unique.size).toBe(1);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/not serialisable/)]);
  });

  it('drops the oldest beyond the queue bound and counts drops exactly', async () => {
    rx.mode = 'error';
    const r = make({ maxQueue: 30, retryBaseMs: 50 });
    const sent = Array.from({ length: 100 }, (_, i) => hit(i));
    for (const h of sent) r.enqueue(h);
    expect(r.stats().dropped).toBe(70);
    expect(r.stats().queued + r.stats().inFlight).toBe(30);
    rx.mode = 'ok';
    await r.close();
    expect(rx.unique.size).toBe(30);
    // Nothing was in flight yet (sending starts on the next tick), so exactly the newest 30 survive.
    expect([...rx.unique.keys()].sort()).toEqual(
      sent
        .slice(70)
        .map((h) => h.id)
        .sort(),
    );
    expect(r.stats()).toMatchObject({ dropped: 70, sent: 30, abandoned: 0 });
  });

  it('backs off exponentially with jitter', async () => {
    rx.mode = 'error';
    const r = make({ retryBaseMs: 40, batchSize: 1, maxQueue: 5 });
    r.enqueue(hit(0));
    await eventually(() => expect(rx.attempts.length).toBeGreaterThanOrEqual(4));
    const gaps = rx.attempts.slice(1, 4).map((a, i) => a.at - rx.attempts[i]!.at);
    // Delays are base·2^n halved at worst by jitter: at least 20, 40, 80 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    rx.mode = 'ok';
    await r.close();
    expect(rx.unique.size).toBe(1);
  });

  it('honours 429 Retry-After', async () => {
    rx.mode = 'rate-limit';
    rx.retryAfter = '1';
    const r = make({ retryBaseMs: 1 });
    r.enqueue(hit(0));
    await eventually(() => expect(rx.attempts.length).toBe(1));
    rx.mode = 'ok';
    await eventually(() => expect(rx.unique.size).toBe(1));
    expect(rx.attempts[1]!.at - rx.attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeNull();
    await r.close();
  });

  it('does not retry a batch the control plane rejects, and tells onError', async () => {
    rx.mode = 'reject';
    const r = make();
    r.enqueue(hit(0));
    await r.flush();
    expect(r.stats()).toMatchObject({ rejected: 1, queued: 0 });
    expect((errors[0] as { status?: number }).status).toBe(400);
    await r.close();
  });

  it('close() flushes everything queued, and gives up (counted) when it cannot', async () => {
    const r = make({ flushIntervalMs: 60_000, batchSize: 100, maxQueue: 200 });
    for (let i = 0; i < 7; i++) r.enqueue(hit(i));
    expect(rx.unique.size).toBe(0);
    await r.close();
    expect(rx.unique.size).toBe(7);
    rx.mode = 'error';
    const stuck = make({ closeTimeoutMs: 100 });
    stuck.enqueue(hit(1));
    await stuck.close();
    expect(stuck.stats().abandoned).toBe(1);
    expect(errors.at(-1)?.message).toMatch(/undelivered/);
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const r = make({
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    r.enqueue(hit(0));
    await r.close();
    expect(seen).toEqual([`${rx.url}/api/v1/ingest`]);
  });

  it('keeps the host app unaffected while the control plane is down', async () => {
    rx.mode = 'hang';
    const hits: HitRecord[] = [];
    const honey = lobsterHoney({
      apiKey: 'lh_site',
      endpoint: rx.url,
      syncTraps: false,
      onHit: (h) => hits.push(h),
      reporter: { batchSize: 10, flushIntervalMs: 20, retryBaseMs: 10, timeoutMs: 100, closeTimeoutMs: 100 },
    });
    const app = express();
    app.use(honey);
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    const { base: url, close } = await listen(app.listen(0, '127.0.0.1'));
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${url}/.env`)).status).toBe(200);
      expect(await (await fetch(`${url}/`)).text()).toBe('ok');
    }
    expect(hits.length).toBe(20);
    rx.mode = 'ok';
    await honey.engine.flush();
    await eventually(() => expect(rx.unique.size).toBe(20));
    expect([...rx.unique.values()].every((h) => h.trap?.path === '/.env')).toBe(true);
    await close();
    await honey.close();
  });
});
