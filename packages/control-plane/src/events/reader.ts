import type { EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import { ValidationFailed } from '../http/errors.js';
import type { PublicEvent } from './log.js';

/**
 * A position in the log. On PostgreSQL the log is ordered by (writing transaction id, seq) and tailing
 * readers only take events whose transaction is older than their snapshot's xmin (see migration
 * 1764000000005); on SQLite `seq` alone is commit order and `txid` is always 0.
 */
export interface LogKey {
  txid: bigint;
  seq: number;
}

export const LOG_START: LogKey = { txid: 0n, seq: 0 };

export function keyAfter(a: LogKey, b: LogKey): boolean {
  return a.txid > b.txid || (a.txid === b.txid && a.seq > b.seq);
}

/** Filters shared by the list and the stream; `type` is exact, or a prefix when it ends with ".". */
export interface EventFilter {
  orgId: string;
  type?: string | undefined;
  /** ISO timestamps: `since` inclusive, `until` exclusive. */
  since?: string | undefined;
  until?: string | undefined;
  cageId?: string | undefined;
}

export interface LogEvent {
  key: LogKey;
  orgId: string;
  cageId: string | null;
  event: PublicEvent;
}

interface RawRow {
  seq: number | string;
  id: string;
  org_id: string;
  type: string;
  api_version: string;
  cage_id: string | null;
  data: string;
  created_at: string;
  txid: string | number;
  xmin?: string;
}

const EVENT_ID = /^evt_[0-9A-Za-z]{1,64}$/;
const COLUMNS = 'seq, id, org_id, type, api_version, cage_id, data, created_at';

function toLogEvent(row: RawRow): LogEvent {
  return {
    key: { txid: BigInt(row.txid), seq: Number(row.seq) },
    orgId: row.org_id,
    cageId: row.cage_id,
    event: {
      id: row.id,
      type: row.type,
      api_version: row.api_version,
      created_at: row.created_at,
      data: JSON.parse(row.data) as Record<string, unknown>,
    },
  };
}

/** True when an event passes the type and time filters (the org is checked by the caller). */
export function matches(filter: EventFilter, e: LogEvent): boolean {
  const { type } = e.event;
  if (filter.type !== undefined) {
    if (filter.type.endsWith('.') ? !type.startsWith(filter.type) : type !== filter.type) return false;
  }
  if (filter.since !== undefined && e.event.created_at < filter.since) return false;
  if (filter.until !== undefined && e.event.created_at >= filter.until) return false;
  if (filter.cageId !== undefined && e.cageId !== filter.cageId) return false;
  return true;
}

/**
 * The queries over the event log, one per dialect. Parameters are numbered in order of appearance and
 * each used once (the SQLite adapter maps them to `?`).
 */
export class EventReader {
  private readonly pg: boolean;

  constructor(private readonly db: Database) {
    this.pg = db.dialect === 'postgres';
  }

  private get txidColumn(): string {
    return this.pg ? 'txid::text AS txid' : '0 AS txid';
  }

  /** `after`/`before` compare against a key; the rest are the filters. */
  private where(filter: EventFilter, params: unknown[], bound?: { op: '<' | '>'; key: LogKey }): string {
    const clauses = [`org_id = $${params.push(filter.orgId)}`];
    if (bound) {
      if (this.pg) {
        const t = params.push(bound.key.txid.toString());
        const s = params.push(bound.key.seq);
        clauses.push(`(txid, seq) ${bound.op} ($${t}::xid8, $${s}::bigint)`);
      } else {
        clauses.push(`seq ${bound.op} $${params.push(bound.key.seq)}`);
      }
    }
    if (filter.cageId !== undefined) clauses.push(`cage_id = $${params.push(filter.cageId)}`);
    if (filter.type !== undefined) {
      clauses.push(
        filter.type.endsWith('.')
          ? `substr(type, 1, ${filter.type.length}) = $${params.push(filter.type)}`
          : `type = $${params.push(filter.type)}`,
      );
    }
    if (filter.since !== undefined) clauses.push(`created_at >= $${params.push(filter.since)}`);
    if (filter.until !== undefined) clauses.push(`created_at < $${params.push(filter.until)}`);
    return clauses.join(' AND ');
  }

  private order(direction: 'ASC' | 'DESC'): string {
    return this.pg ? `txid ${direction}, seq ${direction}` : `seq ${direction}`;
  }

  /**
   * Reads that must not see another transaction's uncommitted rows run in a transaction: on SQLite all
   * queries share one connection, so a plain read could see the open transaction of a writer.
   */
  private read<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.pg ? work(this.db.manager) : this.db.transaction(work);
  }

  /**
   * The position of event `id` in the org's log. A malformed id or one the org does not have (another
   * org's included) is a 400 naming the parameter, never an empty page.
   */
  async keyOf(orgId: string, id: string, parameter: string): Promise<LogKey> {
    if (!EVENT_ID.test(id)) throw new ValidationFailed(`${parameter}: "${id}" is not an event id`);
    const rows = (await this.db.manager.query(
      `SELECT ${this.txidColumn}, seq FROM events WHERE org_id = $1 AND id = $2`,
      [orgId, id],
    )) as RawRow[];
    const row = rows[0];
    if (!row) throw new ValidationFailed(`${parameter}: unknown cursor "${id}"`);
    return { txid: BigInt(row.txid), seq: Number(row.seq) };
  }

  /**
   * Newest first, everything committed (read-your-writes), `limit + 1` rows so the caller knows whether
   * there is more. Keys are fixed at insert, so paging by key returns each event at most once.
   */
  async page(filter: EventFilter, before: LogKey | null, limit: number): Promise<LogEvent[]> {
    const params: unknown[] = [];
    const where = this.where(filter, params, before ? { op: '<', key: before } : undefined);
    const sql = `SELECT ${COLUMNS}, ${this.txidColumn} FROM events WHERE ${where} ORDER BY ${this.order('DESC')} LIMIT $${params.push(limit + 1)}`;
    return ((await this.db.manager.query(sql, params)) as RawRow[]).map(toLogEvent);
  }

  /** Oldest first after `after`, only the settled prefix of the log (see LogKey). */
  async settledAfter(filter: EventFilter, after: LogKey, limit: number): Promise<LogEvent[]> {
    const params: unknown[] = [];
    const where = this.where(filter, params, { op: '>', key: after });
    const settled = this.pg ? ' AND txid < pg_snapshot_xmin(pg_current_snapshot())' : '';
    const sql = `SELECT ${COLUMNS}, ${this.txidColumn} FROM events WHERE ${where}${settled} ORDER BY ${this.order('ASC')} LIMIT $${params.push(limit)}`;
    return this.read(async (m) => ((await m.query(sql, params)) as RawRow[]).map(toLogEvent));
  }

  /**
   * Every org's events after `after`, oldest first, for the shared tail. `blocked` says that committed
   * events exist past the settled prefix (an older transaction is still open): ask again soon.
   */
  async tail(after: LogKey, limit: number): Promise<{ events: LogEvent[]; blocked: boolean }> {
    const bound = this.pg ? '(txid, seq) > ($1::xid8, $2::bigint)' : 'seq > $1';
    const params: unknown[] = this.pg ? [after.txid.toString(), after.seq, limit] : [after.seq, limit];
    const xmin = this.pg ? ', pg_snapshot_xmin(pg_current_snapshot())::text AS xmin' : '';
    const sql = `SELECT ${COLUMNS}, ${this.txidColumn}${xmin} FROM events WHERE ${bound} ORDER BY ${this.order('ASC')} LIMIT $${params.length}`;
    const rows = await this.read(async (m) => (await m.query(sql, params)) as RawRow[]);
    if (!this.pg) return { events: rows.map(toLogEvent), blocked: false };
    const events: LogEvent[] = [];
    for (const row of rows) {
      if (BigInt(row.txid) >= BigInt(row.xmin as string)) return { events, blocked: true };
      events.push(toLogEvent(row));
    }
    return { events, blocked: false };
  }

  /** The end of the settled log: a stream that starts "now" starts here. */
  async settledEnd(): Promise<LogKey> {
    const sql = this.pg
      ? 'SELECT txid::text AS txid, seq FROM events WHERE txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY txid DESC, seq DESC LIMIT 1'
      : 'SELECT 0 AS txid, seq FROM events ORDER BY seq DESC LIMIT 1';
    const rows = await this.read(async (m) => (await m.query(sql)) as RawRow[]);
    const row = rows[0];
    return row ? { txid: BigInt(row.txid), seq: Number(row.seq) } : LOG_START;
  }
}
