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
      seq integer PRIMARY KEY AUTOINCREMENT,
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
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['idempotency_keys', 'events', 'api_keys', 'orgs'])
      await q.query(`DROP TABLE ${table}`);
  }
}
