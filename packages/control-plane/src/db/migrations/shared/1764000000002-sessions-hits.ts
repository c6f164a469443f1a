import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionsHits1764000000002 implements MigrationInterface {
  name = 'SessionsHits1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE honey_sessions (
      id varchar PRIMARY KEY,
      org_id varchar NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      site varchar NOT NULL,
      fingerprint varchar NOT NULL,
      source_ip varchar NOT NULL,
      source_ips text NOT NULL,
      user_agent varchar,
      user_agents text NOT NULL,
      classification varchar NOT NULL,
      score integer NOT NULL,
      confidence integer NOT NULL,
      severity varchar NOT NULL,
      signals_fired text NOT NULL,
      facts text NOT NULL,
      tripwires_fired integer NOT NULL,
      hit_count integer NOT NULL,
      traps_triggered text NOT NULL,
      model varchar,
      operator varchar,
      task text,
      system_prompt text,
      model_family varchar,
      agent_name varchar,
      detected_at varchar,
      first_seen varchar NOT NULL,
      last_seen varchar NOT NULL)`);
    await q.query('CREATE INDEX honey_sessions_org_last ON honey_sessions (org_id, last_seen)');
    await q.query(
      'CREATE INDEX honey_sessions_fingerprint ON honey_sessions (org_id, site, fingerprint, last_seen)',
    );
    await q.query(
      'CREATE INDEX honey_sessions_org_class ON honey_sessions (org_id, classification, last_seen)',
    );
    await q.query('CREATE INDEX honey_sessions_org_sev ON honey_sessions (org_id, severity, last_seen)');
    await q.query(`CREATE TABLE honey_hits (
      org_id varchar NOT NULL,
      id varchar NOT NULL,
      session_id varchar NOT NULL,
      site varchar NOT NULL,
      type varchar NOT NULL,
      ts varchar NOT NULL,
      received_at varchar NOT NULL,
      trap_id varchar,
      trap_type varchar,
      path varchar NOT NULL,
      ip varchar NOT NULL,
      token_reach varchar,
      tripwire integer NOT NULL,
      prompt integer NOT NULL,
      record text NOT NULL,
      PRIMARY KEY (org_id, id))`);
    await q.query('CREATE INDEX honey_hits_org_ts ON honey_hits (org_id, ts)');
    await q.query('CREATE INDEX honey_hits_session_ts ON honey_hits (session_id, ts)');
    await q.query('CREATE INDEX honey_hits_org_trap_ts ON honey_hits (org_id, trap_id, ts)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE honey_hits');
    await q.query('DROP TABLE honey_sessions');
  }
}
