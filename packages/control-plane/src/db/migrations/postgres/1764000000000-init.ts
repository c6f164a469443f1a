import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1764000000000 implements MigrationInterface {
  name = 'Init1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE orgs (
      id varchar PRIMARY KEY,
      slug varchar NOT NULL UNIQUE,
      name varchar NOT NULL,
      external_id varchar UNIQUE,
      created_at varchar NOT NULL)`);
    await q.query(`CREATE TABLE api_keys (
      id varchar PRIMARY KEY,
      org_id varchar NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      name varchar NOT NULL,
      scope varchar NOT NULL,
      key_hash varchar NOT NULL UNIQUE,
      prefix varchar NOT NULL,
      created_at varchar NOT NULL,
      expires_at varchar,
      revoked_at varchar,
      last_used_at varchar)`);
    await q.query('CREATE INDEX api_keys_org ON api_keys (org_id, created_at)');
    await q.query(`CREATE TABLE events (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id varchar NOT NULL UNIQUE,
      org_id varchar NOT NULL,
      type varchar NOT NULL,
      api_version varchar NOT NULL,
      cage_id varchar,
      data text NOT NULL,
      created_at varchar NOT NULL)`);
    await q.query('CREATE INDEX events_org_seq ON events (org_id, seq)');
    await q.query(`CREATE TABLE idempotency_keys (
      principal varchar NOT NULL,
      key varchar NOT NULL,
      request_hash varchar NOT NULL,
      status integer,
      headers text,
      body text,
      created_at varchar NOT NULL,
      PRIMARY KEY (principal, key))`);
    // Sliding-window rate limiting shared by every instance on this database: one row per accepted request.
    await q.query('CREATE TABLE rate_limit_hits (bucket varchar NOT NULL, at bigint NOT NULL)');
    await q.query('CREATE INDEX rate_limit_hits_bucket_at ON rate_limit_hits (bucket, at)');
    // One round trip per request; the advisory lock makes count-then-insert exact across instances.
    await q.query(`CREATE FUNCTION lobster_rate_limit_hit(p_bucket text, p_now bigint, p_window bigint, p_limit int)
      RETURNS TABLE (allowed boolean, used int, oldest bigint) LANGUAGE plpgsql AS $fn$
      DECLARE n int; o bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_bucket, 0));
        DELETE FROM rate_limit_hits WHERE bucket = p_bucket AND at <= p_now - p_window;
        SELECT count(*), min(at) INTO n, o FROM rate_limit_hits WHERE bucket = p_bucket;
        IF n < p_limit THEN
          INSERT INTO rate_limit_hits (bucket, at) VALUES (p_bucket, p_now);
          RETURN QUERY SELECT true, n + 1, coalesce(o, p_now);
        ELSE
          RETURN QUERY SELECT false, n, o;
        END IF;
      END $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION lobster_rate_limit_hit');
    for (const table of ['rate_limit_hits', 'idempotency_keys', 'events', 'api_keys', 'orgs']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
