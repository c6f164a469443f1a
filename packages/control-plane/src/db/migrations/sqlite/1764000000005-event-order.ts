import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * On SQLite `seq` order already is commit order: every write transaction starts with `BEGIN IMMEDIATE`,
 * which holds the database's single write lock from before the first INSERT until COMMIT, across
 * processes as well, so no transaction can take a seq and commit after one that took a later seq. Readers
 * order by `seq` alone; this migration only adds the index for the per-cage listing.
 */
export class EventOrder1764000000005 implements MigrationInterface {
  name = 'EventOrder1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE INDEX events_org_cage_seq ON events (org_id, cage_id, seq) WHERE cage_id IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX events_org_cage_seq');
  }
}
