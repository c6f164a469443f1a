import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest writes every hit into each index of `honey_hits`, so the table keeps only the indexes a read
 * uses: `honey_hits_org_trap_ts` served hits per trap before the hourly roll-up took that over, and
 * nothing reads it now.
 *
 * `honey_session_counts` holds how many sessions each org and site has at each severity, kept by ingest
 * (a new session adds one, a rise moves one) and retention (a purged session takes one away) in their
 * transactions, so the all-time severity breakdown is a few rows instead of a count over every session.
 */
export class IngestWritePath1764000000007 implements MigrationInterface {
  name = 'IngestWritePath1764000000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX honey_hits_org_trap_ts');
    await q.query(`CREATE TABLE honey_session_counts (
      org_id varchar NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      site varchar NOT NULL,
      severity varchar NOT NULL,
      sessions integer NOT NULL,
      PRIMARY KEY (org_id, site, severity))`);
    await q.query(`INSERT INTO honey_session_counts (org_id, site, severity, sessions)
      SELECT org_id, site, severity, count(*) FROM honey_sessions GROUP BY org_id, site, severity`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE honey_session_counts');
    await q.query('CREATE INDEX honey_hits_org_trap_ts ON honey_hits (org_id, trap_id, ts)');
  }
}
