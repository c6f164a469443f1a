import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Traps1764000000001 implements MigrationInterface {
  name = 'Traps1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE traps (
      id varchar PRIMARY KEY,
      org_id varchar NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      site_id varchar,
      name varchar NOT NULL,
      path varchar NOT NULL,
      type varchar NOT NULL,
      description varchar NOT NULL,
      active integer NOT NULL,
      injection_formats varchar NOT NULL,
      created_at varchar NOT NULL,
      updated_at varchar NOT NULL)`);
    await q.query("CREATE UNIQUE INDEX traps_org_site_path ON traps (org_id, COALESCE(site_id, ''), path)");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE traps');
  }
}
