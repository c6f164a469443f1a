import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrgWithAdminKey } from '../src/orgs/bootstrap.js';
import { wireHit } from './fixtures.js';
import { call, dropTestDatabases, newKey, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

const SITE = 'shop.example.com';
const NOW = Date.parse('2026-03-20T11:30:00.000Z');
const DAY = 24 * 60 * 60 * 1000;

describe.each(targets)('analytics on $name', (target) => {
  let server: TestServer;
  let now: number;
  let ingestKey: string;

  beforeEach(async () => {
    now = NOW;
    server = await startServer({ databaseUrl: target.freshUrl(), clock: () => now });
    ingestKey = await newKey(server, 'ingest', 'site');
  });
  afterEach(() => server.close());

  const ingest = async (hits: Record<string, unknown>[], site = SITE) => {
    const res = await call(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      key: ingestKey,
      body: { site, hits },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
  };
  const get = async (path: string, key = server.adminKey) => {
    const res = await call(`${server.url}/dashboard/api/analytics/${path}`, { key });
    return res;
  };

  it('buckets the timeline by UTC hour, zero-filled, exact at the boundaries', async () => {
    await ingest([
      wireHit({ ts: '2026-03-20T10:59:59.999Z' }),
      wireHit({ ts: '2026-03-20T11:00:00.000Z' }),
      wireHit({ ts: '2026-03-20T11:29:59.000+00:00' }),
      wireHit({ ts: '2026-03-20T12:45:00.000+02:00' }), // 10:45 UTC
      wireHit({ ts: '2026-03-19T12:00:00.000Z' }), // first bucket
      wireHit({ ts: '2026-03-19T11:59:59.999Z' }), // just before the window
    ]);
    const res = await get('timeline');
    expect(res.status).toBe(200);
    const buckets = res.body.data as { hour: string; hits: number; tripwires: number }[];
    expect(buckets).toHaveLength(24);
    expect(buckets[0]).toEqual({ hour: '2026-03-19T12:00:00.000Z', hits: 1, tripwires: 0 });
    expect(buckets.at(-2)).toEqual({ hour: '2026-03-20T10:00:00.000Z', hits: 2, tripwires: 0 });
    expect(buckets.at(-1)).toEqual({ hour: '2026-03-20T11:00:00.000Z', hits: 2, tripwires: 0 });
    expect(buckets.reduce((a, b) => a + b.hits, 0)).toBe(5);
    expect(buckets.filter((b) => b.hits === 0)).toHaveLength(21);
  });

  it('overview and severity count the last 24 hours, per site when asked', async () => {
    const token = {
      id: 'tok',
      kind: 'extraction',
      channel: 'prose',
      reach: 'instruction',
      session: 'fp-agent',
      trap: null,
      trap_ref: 'env',
      issued_at: '2026-03-20T11:00:00.000Z',
    };
    await ingest([
      wireHit({ fingerprint: 'fp-agent', ts: '2026-03-20T11:00:00.000Z' }),
      wireHit({
        fingerprint: 'fp-agent',
        type: 'extraction',
        ts: '2026-03-20T11:01:00.000Z',
        trap: null,
        canaries_planted: [],
        token,
        extraction: {
          model: 'gpt-4o',
          operator: 'X',
          task: null,
          system_prompt: 'You are a research agent for X.',
          truncated: false,
        },
      }),
      wireHit({
        fingerprint: 'fp-human',
        path: '/robots.txt',
        trap: null,
        canaries_planted: [],
        ts: '2026-03-20T11:02:00.000Z',
      }),
    ]);
    await ingest(
      [wireHit({ fingerprint: 'fp-b', site: 'blog.example.com', ts: '2026-03-20T09:00:00.000Z' })],
      'blog.example.com',
    );
    const traps = (await call(`${server.url}/dashboard/api/traps`, { key: server.adminKey })).body.data;
    await call(`${server.url}/dashboard/api/traps/${traps[0].id}`, {
      method: 'PATCH',
      key: server.adminKey,
      body: { active: 0 },
    });

    expect((await get('overview')).body).toEqual({
      success: true,
      data: {
        totalHits24h: 4,
        agentsDetected: 1,
        tripwiresFired: 1,
        promptsCaptured: 1,
        activeTraps: traps.length - 1,
      },
    });
    expect((await get('overview?site=blog.example.com')).body.data).toEqual({
      totalHits24h: 1,
      agentsDetected: 0,
      tripwiresFired: 0,
      promptsCaptured: 0,
      activeTraps: traps.length - 1,
    });
    expect((await get('severity')).body.data).toEqual({ critical: 1, high: 0, medium: 2, low: 0 });
    expect((await get('severity?site=blog.example.com')).body.data).toEqual({
      critical: 0,
      high: 0,
      medium: 1,
      low: 0,
    });

    now += 2 * DAY;
    expect((await get('overview')).body.data).toMatchObject({
      totalHits24h: 0,
      agentsDetected: 0,
      tripwiresFired: 0,
    });
    expect((await get('severity?period=24h')).body.data).toEqual({ critical: 0, high: 0, medium: 0, low: 0 });
    expect((await get('severity')).body.data.critical).toBe(1);
  });

  it('counts sessions by severity exactly while they move between hours, rise, and are purged', async () => {
    const periods = [undefined, '24h', '7d', '30d'] as const;
    const span = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY };
    // What the counts must be: the sessions themselves, counted one by one.
    const truth = async (period: (typeof periods)[number], site?: string) => {
      const rows = (await server.app.db.manager.query(
        'SELECT severity, site, last_seen FROM honey_sessions',
      )) as { severity: string; site: string; last_seen: string }[];
      const since = period ? new Date(now - span[period]).toISOString() : '';
      const out: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0 };
      for (const r of rows) if (r.last_seen >= since && (!site || r.site === site)) out[r.severity]! += 1;
      return out;
    };
    const check = async () => {
      for (const period of periods) {
        for (const site of [undefined, SITE, 'blog.example.com']) {
          const query = [period && `period=${period}`, site && `site=${site}`].filter(Boolean).join('&');
          expect((await get(`severity?${query}`)).body.data, `${period} ${site}`).toEqual(
            await truth(period, site),
          );
        }
      }
    };
    const start = NOW - 40 * DAY;
    for (let i = 0; i < 40; i++) {
      // A session a day, on alternating sites, that a second batch moves into the next hour and
      // sometimes raises (a canary coming back: high; a leaked system prompt as well: critical).
      now = start + i * (DAY + 7 * 60_000) + 10 * 60_000;
      const site = i % 2 ? SITE : 'blog.example.com';
      const fingerprint = `fp-${i % 5}`;
      const ts = new Date(now).toISOString();
      await ingest([wireHit({ fingerprint, site, ts: new Date(now - 20 * 60_000).toISOString() })], site);
      const rise =
        i % 3 === 0
          ? [
              wireHit({
                fingerprint,
                site,
                ts,
                type: 'credential_use',
                canary: { kind: 'openai_key', carrier: 'x' },
              }),
            ]
          : [];
      if (i % 6 === 0) {
        rise.push(
          wireHit({
            fingerprint,
            site,
            ts,
            type: 'extraction',
            extraction: {
              model: 'm',
              operator: null,
              task: null,
              system_prompt: 'You are a shopping agent.',
            },
          }),
        );
      }
      await ingest([wireHit({ fingerprint, site, ts }), ...rise], site);
      if (i % 10 === 9) await check();
    }
    await check();
    now += 13 * 60 * 60_000 + 17 * 60_000;
    await check();
    // Retention takes away the sessions it deletes; the window counts stay exact.
    const { purgeExpired } = await import('../src/honey/retention.js');
    expect((await purgeExpired(server.app.db, now, 20)).sessions).toBeGreaterThan(0);
    await check();
  });

  it('keeps the severity roll-up exact for late hits and at UTC hour boundaries', async () => {
    const q = (sql: string) => server.app.db.manager.query(sql) as Promise<Record<string, unknown>[]>;
    const counts = (rows: Record<string, unknown>[]) =>
      rows.map((r) => `${r.hour} ${r.severity} ${Number(r.n)}`).sort();
    const check = async () => {
      // The roll-up is the sessions counted per hour of last activity and severity, row for row...
      expect(
        counts(await q('SELECT hour, severity, sessions AS n FROM honey_session_hours WHERE sessions <> 0')),
      ).toEqual(
        counts(
          await q(
            'SELECT substr(last_seen, 1, 13) AS hour, severity, count(*) AS n FROM honey_sessions GROUP BY 1, 2',
          ),
        ),
      );
      // ...and a 24-hour window starting on, just before or just after an hour counts to the millisecond.
      const rows = await q('SELECT severity, last_seen FROM honey_sessions');
      for (const at of ['11:00:00.000', '10:59:59.999', '11:00:00.001', '09:59:59.999', '10:00:00.000']) {
        const end = Date.parse(`2026-03-21T${at}Z`);
        const since = new Date(end - DAY).toISOString();
        const want: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0 };
        for (const r of rows) if ((r.last_seen as string) >= since) want[r.severity as string]! += 1;
        const saved = now;
        now = end;
        expect((await get('severity?period=24h')).body.data, at).toEqual(want);
        now = saved;
      }
    };
    const canary = { type: 'credential_use', canary: { kind: 'openai_key', carrier: 'x-api-key' } };
    // Last seen exactly on the hour; then a late hit from before it (10:40 UTC, sent with an offset)
    // raises the session where it is: its last activity stays 11:00.
    await ingest([wireHit({ fingerprint: 'fp-a', ts: '2026-03-20T10:59:59.999Z' })]);
    await ingest([wireHit({ fingerprint: 'fp-a', ts: '2026-03-20T11:00:00.000Z' })]);
    await check();
    await ingest([wireHit({ fingerprint: 'fp-a', ts: '2026-03-20T12:40:00.000+02:00', ...canary })]);
    await check();
    // A late hit too old for the visitor's session starts a session of its own, in an earlier hour.
    await ingest([wireHit({ fingerprint: 'fp-b', ts: '2026-03-20T11:10:00.000Z' })]);
    await ingest([wireHit({ fingerprint: 'fp-b', ts: '2026-03-20T09:59:59.999Z', ...canary })]);
    await check();
    // One batch across the boundary, newest first.
    await ingest([
      wireHit({ fingerprint: 'fp-c', ts: '2026-03-20T11:00:00.001Z' }),
      wireHit({ fingerprint: 'fp-c', ts: '2026-03-20T10:59:00.000Z', ...canary }),
    ]);
    await check();
    const sessions = await q('SELECT fingerprint, severity, last_seen FROM honey_sessions ORDER BY 1, 3');
    expect(sessions).toEqual([
      { fingerprint: 'fp-a', severity: 'high', last_seen: '2026-03-20T11:00:00.000Z' },
      { fingerprint: 'fp-b', severity: 'high', last_seen: '2026-03-20T09:59:59.999Z' },
      { fingerprint: 'fp-b', severity: 'medium', last_seen: '2026-03-20T11:10:00.000Z' },
      { fingerprint: 'fp-c', severity: 'high', last_seen: '2026-03-20T11:00:00.001Z' },
    ]);
  });

  it('counts hits per trap for 24h, 7d and 30d, keeping deleted traps', async () => {
    const traps = (await call(`${server.url}/dashboard/api/traps`, { key: server.adminKey })).body.data;
    const env = traps.find((t: { path: string }) => t.path === '/.env');
    const trapRef = { id: env.id, name: env.name, path: '/.env', type: 'file' };
    const ts = new Date(now).toISOString();
    await ingest([
      wireHit({ ts, trap: trapRef }),
      wireHit({ ts, trap: trapRef }),
      wireHit({ ts, path: '/x', trap: { id: 'default:x', name: 'X', path: '/x', type: 'api' } }),
    ]);
    now += 3 * DAY;
    await ingest([wireHit({ ts: new Date(now).toISOString(), trap: trapRef })]);
    now += 10 * DAY;
    await ingest([wireHit({ ts: new Date(now).toISOString(), trap: trapRef })]);

    expect((await get('traps')).body.data).toEqual([
      { trap_id: env.id, name: env.name, path: '/.env', type: 'file', hits: 1 },
    ]);
    expect((await get('traps?period=30d')).body.data).toEqual([
      { trap_id: env.id, name: env.name, path: '/.env', type: 'file', hits: 4 },
      { trap_id: 'default:x', name: null, path: '/x', type: 'api', hits: 1 },
    ]);
    await call(`${server.url}/dashboard/api/traps/${env.id}`, { method: 'DELETE', key: server.adminKey });
    expect((await get('traps?period=7d')).body.data).toEqual([
      { trap_id: env.id, name: null, path: '/.env', type: 'file', hits: 1 },
    ]);
    expect((await get('traps?period=1y')).status).toBe(400);
  });

  it('keeps orgs apart and needs read scope', async () => {
    await ingest([wireHit({ ts: new Date(now).toISOString() })]);
    const other = await createOrgWithAdminKey(server.app.db, { name: 'Other' }, now);
    expect((await get('overview', other.apiKey)).body.data.totalHits24h).toBe(0);
    expect((await get('timeline', other.apiKey)).body.data.every((b: { hits: number }) => b.hits === 0)).toBe(
      true,
    );
    expect((await get('overview', ingestKey)).status).toBe(403);
    expect((await get('overview?color=red')).status).toBe(400);
  });
});
