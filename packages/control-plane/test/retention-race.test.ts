import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingest, validateHits } from '../src/honey/ingest.js';
import { purgeExpired } from '../src/honey/retention.js';
import { wireHit } from './fixtures.js';
import { dropTestDatabases, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

const DAY = 24 * 60 * 60 * 1000;
const SITE = 'shop.example.com';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const postgres = targets.find((t) => t.name === 'postgres');

/**
 * On PostgreSQL retention and ingest run at once (on other pool connections, or other instances). A
 * credential planted long ago and used today brings ingest to a session whose hits retention is purging:
 * whichever gets there first, no hit may end up without its session, and the hourly session roll-up must
 * still count exactly the sessions there are.
 */
describe.skipIf(!postgres)('retention racing ingest on PostgreSQL', () => {
  let server: TestServer;
  let client: pg.Client;
  let url: string;
  let now: number;

  beforeEach(async () => {
    now = T0;
    url = postgres!.freshUrl();
    server = await startServer({ databaseUrl: url, clock: () => now });
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema')!;
    parsed.searchParams.delete('schema');
    client = new pg.Client({ connectionString: parsed.toString(), options: `-c search_path=${schema}` });
    await client.connect();
  });
  afterEach(async () => {
    await client.end();
    await server.close();
  });

  const store = (hits: Record<string, unknown>[]) =>
    ingest(server.app.db, server.orgId, SITE, validateHits(SITE, hits, now), now);

  /** The planted session, 91 days later: its only hit is past a 90-day retention. */
  const plantedLongAgo = async () => {
    await store([wireHit({ fingerprint: 'fp-1', ts: new Date(T0).toISOString() })]);
    const [{ id }] = await server.app.db.manager.query('SELECT id FROM honey_sessions');
    now = T0 + 91 * DAY;
    return id as string;
  };
  /** The canary planted at T0, used now from elsewhere. */
  const canaryUse = () =>
    wireHit({
      type: 'credential_use',
      ts: new Date(now).toISOString(),
      fingerprint: 'fp-elsewhere',
      ip: '198.51.100.7',
      trap: null,
      canaries_planted: [],
      canary: { kind: 'openai_key', carrier: 'x-api-key' },
      token: {
        id: 'tok-1',
        kind: 'canary',
        channel: 'credential',
        reach: 'text',
        session: 'fp-1',
        trap: 'trap-env',
        trap_ref: 'ref-1',
        issued_at: new Date(T0).toISOString(),
      },
    });

  const consistent = async () => {
    const q = (sql: string) => server.app.db.manager.query(sql);
    const orphans = await q(
      'SELECT count(*) AS n FROM honey_hits h WHERE NOT EXISTS (SELECT 1 FROM honey_sessions s WHERE s.id = h.session_id)',
    );
    expect(Number(orphans[0].n)).toBe(0);
    const counted = await q(
      `SELECT substr(last_seen, 1, 13) AS hour, severity, count(*) AS n FROM honey_sessions
       GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const rolled = await q(
      'SELECT hour, severity, sessions AS n FROM honey_session_hours WHERE sessions <> 0 ORDER BY 1, 2',
    );
    expect(rolled.map((r: Record<string, unknown>) => ({ ...r, n: Number(r.n) }))).toEqual(
      counted.map((r: Record<string, unknown>) => ({ ...r, n: Number(r.n) })),
    );
    const hits = await q('SELECT count(*) AS n FROM honey_hits');
    const perSession = await q('SELECT coalesce(sum(hit_count), 0) AS n FROM honey_sessions');
    expect(Number(perSession[0].n)).toBe(Number(hits[0].n));
  };

  /** Until a statement of another connection waits for a lock. */
  const untilWaiting = async () => {
    for (let i = 0; i < 200; i++) {
      const { rows } = await client.query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
      );
      if (Number(rows[0].n) > 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('nothing waited for a lock');
  };

  it('ingest that read a session retention then deleted starts a new session', async () => {
    const planted = await plantedLongAgo();
    const hit = canaryUse();
    // Hold ingest between reading the session and writing it: this connection inserts the same hit id
    // first, so ingest's insert waits on it.
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO honey_hits (org_id, id, session_id, site, type, ts, received_at, path, ip, tripwire, prompt, record)
       VALUES ($1, $2, 'x', $3, 'probe', $4, $4, '/', '-', 0, 0, '{}')`,
      [server.orgId, hit.id, SITE, new Date(now).toISOString()],
    );
    const ingesting = store([hit]);
    await untilWaiting();
    // Retention deletes the session ingest has read, and commits.
    expect(await purgeExpired(server.app.db, now, 90)).toEqual({ hits: 1, sessions: 1 });
    await client.query('ROLLBACK');
    expect(await ingesting).toEqual({ accepted: 1, duplicates: 0 });

    const sessions = await server.app.db.manager.query('SELECT id, hit_count FROM honey_sessions');
    expect(sessions).toHaveLength(1);
    expect(sessions[0].id).not.toBe(planted);
    await consistent();
  });

  it('retention waits for ingest writing a session before it decides to delete it', async () => {
    const planted = await plantedLongAgo();
    // This connection plays an ingest of a new hit into the planted session, not yet committed.
    await client.query('BEGIN');
    await client.query('UPDATE honey_sessions SET hit_count = hit_count + 1 WHERE id = $1', [planted]);
    const purging = purgeExpired(server.app.db, now, 90);
    await new Promise((r) => setTimeout(r, 300));
    await client.query(
      `INSERT INTO honey_hits (org_id, id, session_id, site, type, ts, received_at, path, ip, tripwire, prompt, record)
       VALUES ($1, 'late-hit', $2, $3, 'trap_hit', $4, $4, '/', '-', 0, 0, '{}')`,
      [server.orgId, planted, SITE, new Date(now).toISOString()],
    );
    await client.query('COMMIT');
    expect(await purging).toEqual({ hits: 1, sessions: 0 });

    const sessions = await server.app.db.manager.query('SELECT id, hit_count FROM honey_sessions');
    expect(sessions).toEqual([{ id: planted, hit_count: 1 }]);
    const orphans = await server.app.db.manager.query(
      'SELECT count(*) AS n FROM honey_hits h WHERE NOT EXISTS (SELECT 1 FROM honey_sessions s WHERE s.id = h.session_id)',
    );
    expect(Number(orphans[0].n)).toBe(0);
  });
});
