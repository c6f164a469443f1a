import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hourly roll-ups of trap hits per site and trap, kept by ingest and retention, so analytics over days
 * read at most a few hundred rows per trap instead of every hit.
 */
export class HitHours1764000000003 implements MigrationInterface {
  name = 'HitHours1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE honey_hit_hours (
      org_id varchar NOT NULL,
      site varchar NOT NULL,
      hour varchar NOT NULL,
      trap_id varchar NOT NULL,
      trap_type varchar,
      path varchar NOT NULL,
      hits integer NOT NULL,
      tripwires integer NOT NULL,
      prompts integer NOT NULL,
      PRIMARY KEY (org_id, hour, site, trap_id))`);
    await q.query(`INSERT INTO honey_hit_hours (org_id, site, hour, trap_id, trap_type, path, hits, tripwires, prompts)
      SELECT org_id, site, substr(ts, 1, 13), COALESCE(trap_id, ''), max(trap_type), max(path), count(*), sum(tripwire), sum(prompt)
      FROM honey_hits GROUP BY org_id, site, substr(ts, 1, 13), COALESCE(trap_id, '')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE honey_hit_hours');
  }
}
