import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Readers tail the event log in an order in which nothing can appear behind them.
 *
 * `seq` is taken at INSERT, so a transaction holding seq 10 may commit after one holding seq 11: a reader
 * that had passed 11 would never see 10. Each event therefore records the id of the transaction that wrote
 * it (`txid`, an `xid8`, filled by the column default, so `appendEvent`/`appendEvents` need no change).
 * Readers order by `(txid, seq)` and a tailing reader only takes events whose transaction is older than its
 * snapshot's `xmin`: every such transaction has ended, and every transaction still to commit has a txid
 * at or above that xmin, so the taken prefix can never grow behind the reader.
 *
 * A statement trigger NOTIFYs the schema's channel; PostgreSQL delivers it at commit (once per
 * transaction), which wakes the streams of every instance. The payload is empty: readers re-query the log.
 */
export class EventOrder1764000000005 implements MigrationInterface {
  name = 'EventOrder1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()');
    await q.query('CREATE INDEX events_txid_seq ON events (txid, seq)');
    await q.query('CREATE INDEX events_org_txid_seq ON events (org_id, txid, seq)');
    await q.query(
      'CREATE INDEX events_org_cage_txid_seq ON events (org_id, cage_id, txid, seq) WHERE cage_id IS NOT NULL',
    );
    await q.query(`CREATE FUNCTION lobster_events_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM pg_notify('lobster_events:' || TG_TABLE_SCHEMA, '');
        RETURN NULL;
      END $fn$`);
    await q.query(
      'CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION lobster_events_notify()',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER events_notify ON events');
    await q.query('DROP FUNCTION lobster_events_notify');
    await q.query('DROP INDEX events_org_cage_txid_seq');
    await q.query('DROP INDEX events_org_txid_seq');
    await q.query('DROP INDEX events_txid_seq');
    await q.query('ALTER TABLE events DROP COLUMN txid');
  }
}
