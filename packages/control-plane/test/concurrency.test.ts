import { afterAll, describe, expect, it } from 'vitest';
import { wireHit } from './fixtures.js';
import { call, dropTestDatabases, newKey, startInstance, startServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

const SITE = 'shop.example.com';
const postgres = targets.find((t) => t.name === 'postgres');

/** Two instances on one database, ingesting hits of the same visitors at once. */
describe.skipIf(!postgres)('concurrent ingest on two PostgreSQL instances', () => {
  it('keeps exact hit counts and loses no signal', async () => {
    const databaseUrl = postgres!.freshUrl();
    const a = await startServer({ databaseUrl });
    const b = await startInstance({ databaseUrl });
    try {
      const key = await newKey(a, 'ingest', 's');
      const visitors = ['fp-1', 'fp-2', 'fp-3'];
      const base = Date.now() - 60_000;
      // 40 batches of 25 hits, alternating instances; every batch touches every visitor.
      const batches = Array.from({ length: 40 }, (_, i) =>
        Array.from({ length: 25 }, (_, j) => {
          const fingerprint = visitors[(i + j) % 3]!;
          const ts = new Date(base + i * 25 + j).toISOString();
          // One batch per visitor carries a canary use: the signal must survive the races.
          if (j === 0 && i < 3) {
            return wireHit({
              fingerprint,
              ts,
              type: 'credential_use',
              canary: { kind: 'openai_key', carrier: 'x-api-key' },
              canaries_planted: [],
            });
          }
          return wireHit({ fingerprint, ts });
        }),
      );
      const results = await Promise.all(
        batches.map((hits, i) =>
          call(`${i % 2 ? b.url : a.url}/api/v1/ingest`, { method: 'POST', key, body: { site: SITE, hits } }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(40).fill(202));
      expect(results.reduce((sum, r) => sum + r.body.data.accepted, 0)).toBe(1000);

      // The same batches again, at once, on the other instance: all duplicates.
      const replays = await Promise.all(
        batches.map((hits, i) =>
          call(`${i % 2 ? a.url : b.url}/api/v1/ingest`, { method: 'POST', key, body: { site: SITE, hits } }),
        ),
      );
      expect(replays.reduce((sum, r) => sum + r.body.data.duplicates, 0)).toBe(1000);

      const sessions = (await call(`${a.url}/dashboard/api/sessions`, { key: a.adminKey })).body.data;
      expect(sessions).toHaveLength(3);
      expect(sessions.reduce((sum: number, s: { hit_count: number }) => sum + s.hit_count, 0)).toBe(1000);
      for (const s of sessions) {
        expect(s.signals_fired).toEqual(expect.arrayContaining(['CREDENTIAL_USED', 'CREDENTIAL_EXTRACTED']));
        expect(s.severity).toBe('high');
      }
      const [{ n }] = await a.app.db.manager.query('SELECT count(*) AS n FROM honey_hits');
      expect(Number(n)).toBe(1000);
      const detected = await a.app.db.manager.query(
        "SELECT count(*) AS n FROM events WHERE type = 'threat.detected'",
      );
      expect(Number(detected[0].n)).toBe(3);
    } finally {
      await b.app.close(1_000);
      await a.close();
    }
  });
});

/**
 * On SQLite ingest keeps the sessions it wrote in memory between batches: that must never hide what
 * another process (or another writer in this one) changed in the file meanwhile.
 */
describe('ingest on SQLite with another writer on the same file', () => {
  const sqlite = targets.find((t) => t.name === 'sqlite')!;
  const visitors = ['fp-1', 'fp-2', 'fp-3'];
  const batch = (i: number, base: number) =>
    Array.from({ length: 6 }, (_, j) =>
      wireHit({ fingerprint: visitors[j % 3]!, ts: new Date(base + i * 6 + j).toISOString() }),
    );
  const hitCounts = async (url: string, key: string) => {
    const sessions = (await call(`${url}/dashboard/api/sessions`, { key })).body.data as {
      fingerprint?: string;
      hit_count: number;
    }[];
    return sessions.map((s) => s.hit_count).sort((a, b) => a - b);
  };

  /** Posts `batch(i)` to one server's ingest with a fresh ingest key. */
  const poster = async (a: Awaited<ReturnType<typeof startServer>>) => {
    const key = await newKey(a, 'ingest', 's');
    const base = Date.now() - 60_000;
    return (i: number) =>
      call(`${a.url}/api/v1/ingest`, { method: 'POST', key, body: { site: SITE, hits: batch(i, base) } });
  };

  it('keeps exact hit counts when two instances take turns, and when they write at once', async () => {
    const databaseUrl = sqlite.freshUrl();
    const a = await startServer({ databaseUrl });
    const b = await startInstance({ databaseUrl });
    try {
      const key = await newKey(a, 'ingest', 's');
      const base = Date.now() - 60_000;
      // One after the other, alternating: each instance's cached sessions are stale at its next batch.
      for (let i = 0; i < 10; i++) {
        const res = await call(`${i % 2 ? b.url : a.url}/api/v1/ingest`, {
          method: 'POST',
          key,
          body: { site: SITE, hits: batch(i, base) },
        });
        expect(res.status).toBe(202);
      }
      expect(await hitCounts(a.url, a.adminKey)).toEqual([20, 20, 20]);
      // And at once.
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          call(`${i % 2 ? b.url : a.url}/api/v1/ingest`, {
            method: 'POST',
            key,
            body: { site: SITE, hits: batch(10 + i, base) },
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(202));
      expect(await hitCounts(a.url, a.adminKey)).toEqual([40, 40, 40]);
      const [{ n }] = await a.app.db.manager.query('SELECT count(*) AS n FROM honey_hits');
      expect(Number(n)).toBe(120);
    } finally {
      await b.app.close(1_000);
      await a.close();
    }
  });

  it('sees a change another writer of the same process made between two batches', async () => {
    const a = await startServer({ databaseUrl: sqlite.freshUrl() });
    try {
      const post = await poster(a);
      expect((await post(0)).status).toBe(202);
      await a.app.db.transaction((m) => m.query('UPDATE honey_sessions SET hit_count = hit_count + 100'));
      expect((await post(1)).status).toBe(202);
      expect(await hitCounts(a.url, a.adminKey)).toEqual([104, 104, 104]);
      await a.app.db.transaction((m) => m.query('DELETE FROM honey_sessions'));
      expect((await post(2)).status).toBe(202);
      expect(await hitCounts(a.url, a.adminKey)).toEqual([2, 2, 2]);
    } finally {
      await a.close();
    }
  });

  it('forgets the sessions a batch changed in memory when its transaction rolls back', async () => {
    const a = await startServer({ databaseUrl: sqlite.freshUrl() });
    try {
      const post = await poster(a);
      expect((await post(0)).status).toBe(202);
      // The batch fails after it has folded its hits into the (cached) sessions, at its first write, so
      // that neither total_changes() nor data_version moves (nor does the schema change that makes it
      // fail): only the rollback itself can tell that the cached sessions are wrong.
      const ddl = (sql: string) => a.app.db.transaction((m) => m.query(sql));
      await ddl("CREATE TRIGGER boom BEFORE INSERT ON honey_hits BEGIN SELECT RAISE(ABORT, 'boom'); END");
      expect((await post(1)).status).toBe(500);
      await ddl('DROP TRIGGER boom');
      expect((await post(2)).status).toBe(202);
      expect(await hitCounts(a.url, a.adminKey)).toEqual([4, 4, 4]);
    } finally {
      await a.close();
    }
  });

  it('keeps one cache per database: two apps of one process on two files', async () => {
    const a = await startServer({ databaseUrl: sqlite.freshUrl() });
    const b = await startServer({ databaseUrl: sqlite.freshUrl() });
    try {
      const keys = [await newKey(a, 'ingest', 's'), await newKey(b, 'ingest', 's')];
      const base = Date.now() - 60_000;
      for (let i = 0; i < 6; i++) {
        const [server, key] = i % 3 ? [a, keys[0]!] : [b, keys[1]!];
        const res = await call(`${server.url}/api/v1/ingest`, {
          method: 'POST',
          key,
          body: { site: SITE, hits: batch(i, base) },
        });
        expect(res.status).toBe(202);
      }
      expect(await hitCounts(a.url, a.adminKey)).toEqual([8, 8, 8]);
      expect(await hitCounts(b.url, b.adminKey)).toEqual([4, 4, 4]);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
