import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purgeExpired } from '../src/honey/retention.js';
import { wireHit } from './fixtures.js';
import { call, dropTestDatabases, newKey, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

const DAY = 24 * 60 * 60 * 1000;
const SITE = 'shop.example.com';

describe.each(targets)('retention on $name', (target) => {
  let server: TestServer;
  let now: number;
  let ingestKey: string;

  beforeEach(async () => {
    now = Date.parse('2026-01-01T00:00:00.000Z');
    server = await startServer({ databaseUrl: target.freshUrl(), clock: () => now });
    ingestKey = await newKey(server, 'ingest', 's');
  });
  afterEach(() => server.close());

  const ingestAt = async (fingerprint: string) => {
    const res = await call(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      key: ingestKey,
      body: { site: SITE, hits: [wireHit({ fingerprint, ts: new Date(now).toISOString() })] },
    });
    expect(res.status).toBe(202);
  };
  const sessions = async () =>
    (await call(`${server.url}/dashboard/api/sessions`, { key: server.adminKey })).body.data as {
      id: string;
      hit_count: number;
      first_seen: string;
      signals_fired: string[];
    }[];

  it('purges old hits, drops emptied sessions and re-counts straddling ones', async () => {
    await ingestAt('fp-old');
    await ingestAt('fp-long');
    now += 5 * 60_000;
    await ingestAt('fp-long');
    now += 20 * 60_000;
    await ingestAt('fp-long'); // the straddling session: hits at +0, +5 and +25 minutes
    now += 10 * 60_000;
    expect((await sessions()).map((s) => s.hit_count).sort()).toEqual([1, 3]);

    const perTrap = async () =>
      (await call(`${server.url}/dashboard/api/analytics/traps?period=30d`, { key: server.adminKey })).body
        .data;
    expect(await perTrap()).toEqual([expect.objectContaining({ trap_id: 'trap-env', hits: 4 })]);

    const cutoffAt = Date.parse('2026-01-01T00:10:00.000Z') + 90 * DAY;
    const result = await purgeExpired(server.app.db, cutoffAt, 90);
    expect(result).toEqual({ hits: 3, sessions: 1 });
    const left = await sessions();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ hit_count: 1, first_seen: '2026-01-01T00:25:00.000Z' });
    expect(left[0]!.signals_fired).toEqual(['CREDENTIAL_EXTRACTED']);
    const detail = await call(`${server.url}/dashboard/api/sessions/${left[0]!.id}`, {
      key: server.adminKey,
    });
    expect(detail.body.data.hits).toHaveLength(1);
    // The hourly roll-up lost exactly what was purged, including inside the hour the cutoff falls in.
    expect(await perTrap()).toEqual([expect.objectContaining({ trap_id: 'trap-env', hits: 1 })]);

    expect(await purgeExpired(server.app.db, cutoffAt, 90)).toEqual({ hits: 0, sessions: 0 });
  });
});
