import { afterAll, describe, expect, it } from 'vitest';
import { openDataSource, runMigrations } from '../src/db/data-source.js';
import { ingest, validateHits } from '../src/honey/ingest.js';
import { wireHit } from './fixtures.js';
import { dropTestDatabases, startServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

const NOW = Date.parse('2026-03-20T11:30:00.000Z');
const canary = { type: 'credential_use', canary: { kind: 'openai_key', carrier: 'x-api-key' } };

describe.each(targets)('session roll-up migrations on $name', (target) => {
  it('down to the per-severity counts and up to the hourly roll-up again, with the same sessions', async () => {
    const databaseUrl = target.freshUrl();
    const server = await startServer({ databaseUrl, clock: () => NOW });
    try {
      const store = (site: string, hits: Record<string, unknown>[]) =>
        ingest(server.app.db, server.orgId, site, validateHits(site, hits, NOW), NOW);
      for (let i = 0; i < 12; i++) {
        const site = i % 3 ? 'shop.example.com' : 'blog.example.com';
        const ts = new Date(NOW - i * 47 * 60_000).toISOString();
        await store(site, [wireHit({ site, fingerprint: `fp-${i}`, ts, ...(i % 4 ? {} : canary) })]);
      }
    } finally {
      await server.close();
    }

    const { dataSource, dialect } = await openDataSource(databaseUrl);
    try {
      const q = (sql: string) => dataSource.query(sql) as Promise<Record<string, unknown>[]>;
      const rows = (list: Record<string, unknown>[]) =>
        list.map((r) => Object.values(r).map(String).join(' ')).sort();
      const perSeverity = await q(
        'SELECT org_id, site, severity, count(*) AS n FROM honey_sessions GROUP BY org_id, site, severity',
      );
      const perHour = await q(
        `SELECT org_id, substr(last_seen, 1, 13) AS hour, site, severity, count(*) AS n FROM honey_sessions
         GROUP BY org_id, substr(last_seen, 1, 13), site, severity`,
      );
      expect(perHour.length).toBeGreaterThan(perSeverity.length);
      expect(
        rows(await q('SELECT org_id, hour, site, severity, sessions AS n FROM honey_session_hours')),
      ).toEqual(rows(perHour));

      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(rows(await q('SELECT org_id, site, severity, sessions AS n FROM honey_session_counts'))).toEqual(
        rows(perSeverity),
      );
      await expect(q('SELECT count(*) FROM honey_session_hours')).rejects.toThrow();
      await dataSource.undoLastMigration({ transaction: 'each' });

      expect(await runMigrations(dataSource, dialect)).toEqual([
        'SessionFingerprintIndex1764000000008',
        'SessionHours1764000000009',
      ]);
      expect(
        rows(await q('SELECT org_id, hour, site, severity, sessions AS n FROM honey_session_hours')),
      ).toEqual(rows(perHour));
      await expect(q('SELECT count(*) FROM honey_session_counts')).rejects.toThrow();
    } finally {
      await dataSource.destroy();
    }
  });
});
