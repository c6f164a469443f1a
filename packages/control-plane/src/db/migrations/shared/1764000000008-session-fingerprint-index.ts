import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest finds a visitor's sessions by org, site and fingerprint; `last_seen` in that index made every
 * session write move the session's entry in it too (as in every other session index). Without it, an
 * update leaves the index alone, and the look-up reads the visitor's few sessions and checks `last_seen`
 * on each.
 */
export class SessionFingerprintIndex1764000000008 implements MigrationInterface {
  name = 'SessionFingerprintIndex1764000000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX honey_sessions_fingerprint');
    await q.query('CREATE INDEX honey_sessions_fingerprint ON honey_sessions (org_id, site, fingerprint)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX honey_sessions_fingerprint');
    await q.query(
      'CREATE INDEX honey_sessions_fingerprint ON honey_sessions (org_id, site, fingerprint, last_seen)',
    );
  }
}
