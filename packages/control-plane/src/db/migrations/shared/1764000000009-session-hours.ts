import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `honey_session_hours` replaces `honey_session_counts`: sessions per org, UTC hour of their last
 * activity, site and severity. The all-time severity breakdown is the sum of a site's rows (at most
 * 24 × 4 a day of history, which retention bounds); "active in the last 30 days" is the sum of the whole
 * hours in the window plus a count of the sessions last seen in the hour the window starts in, instead of
 * a count over every session of the window. Ingest moves a session from the row it was in to the row it
 * is in when a batch changes its hour or severity; retention takes away the sessions it deletes.
 */
export class SessionHours1764000000009 implements MigrationInterface {
  name = 'SessionHours1764000000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE honey_session_hours (
      org_id varchar NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      hour varchar NOT NULL,
      site varchar NOT NULL,
      severity varchar NOT NULL,
      sessions integer NOT NULL,
      PRIMARY KEY (org_id, hour, site, severity))`);
    await q.query(`INSERT INTO honey_session_hours (org_id, hour, site, severity, sessions)
      SELECT org_id, substr(last_seen, 1, 13), site, severity, count(*) FROM honey_sessions
      GROUP BY org_id, substr(last_seen, 1, 13), site, severity`);
    await q.query('DROP TABLE honey_session_counts');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE honey_session_counts (
      org_id varchar NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      site varchar NOT NULL,
      severity varchar NOT NULL,
      sessions integer NOT NULL,
      PRIMARY KEY (org_id, site, severity))`);
    await q.query(`INSERT INTO honey_session_counts (org_id, site, severity, sessions)
      SELECT org_id, site, severity, count(*) FROM honey_sessions GROUP BY org_id, site, severity`);
    await q.query('DROP TABLE honey_session_hours');
  }
}
