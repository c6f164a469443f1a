import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The session list filters by classification or severity and often by site as well, and counts the
 * matches for its pagination: with the site in these indexes both the page and the count are answered
 * from the index alone.
 */
export class SessionFilterIndexes1764000000004 implements MigrationInterface {
  name = 'SessionFilterIndexes1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX honey_sessions_org_class');
    await q.query('DROP INDEX honey_sessions_org_sev');
    await q.query(
      'CREATE INDEX honey_sessions_org_class ON honey_sessions (org_id, classification, site, last_seen)',
    );
    await q.query(
      'CREATE INDEX honey_sessions_org_sev ON honey_sessions (org_id, severity, site, last_seen)',
    );
    await q.query('CREATE INDEX honey_sessions_org_site ON honey_sessions (org_id, site, last_seen)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX honey_sessions_org_site');
    await q.query('DROP INDEX honey_sessions_org_class');
    await q.query('DROP INDEX honey_sessions_org_sev');
    await q.query(
      'CREATE INDEX honey_sessions_org_class ON honey_sessions (org_id, classification, last_seen)',
    );
    await q.query('CREATE INDEX honey_sessions_org_sev ON honey_sessions (org_id, severity, last_seen)');
  }
}
