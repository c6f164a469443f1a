import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert channels (URL and signing secret sealed with AES-256-GCM, see src/secrets.ts) and the outbox of
 * alert deliveries. The outbox's unique key (session, channel, severity) is the de-duplication: one
 * alert per session and channel at each severity.
 */
export class Alerts1764000000006 implements MigrationInterface {
  name = 'Alerts1764000000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE alert_channels (
      id varchar PRIMARY KEY,
      org_id varchar NOT NULL,
      name varchar NOT NULL,
      type varchar NOT NULL,
      url_sealed varchar NOT NULL,
      url_hint varchar NOT NULL,
      secret_sealed varchar,
      min_severity varchar NOT NULL,
      enabled integer NOT NULL,
      site varchar,
      created_at varchar NOT NULL,
      updated_at varchar NOT NULL)`);
    await q.query('CREATE INDEX alert_channels_org ON alert_channels (org_id, created_at)');
    await q.query(`CREATE TABLE alert_deliveries (
      id varchar PRIMARY KEY,
      org_id varchar NOT NULL,
      channel_id varchar NOT NULL,
      session_id varchar NOT NULL,
      severity varchar NOT NULL,
      event text NOT NULL,
      status varchar NOT NULL,
      attempts integer NOT NULL,
      next_attempt_at varchar NOT NULL,
      last_status integer,
      last_error varchar,
      created_at varchar NOT NULL,
      delivered_at varchar,
      UNIQUE (session_id, channel_id, severity))`);
    await q.query(
      "CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE status = 'pending'",
    );
    await q.query('CREATE INDEX alert_deliveries_channel ON alert_deliveries (channel_id, status)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE alert_deliveries');
    await q.query('DROP TABLE alert_channels');
  }
}
