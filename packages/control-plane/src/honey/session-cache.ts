import type { EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import type { SessionRow } from './session-row.js';

/** How far before a batch's earliest hit a cached visitor's sessions are kept (older ones are dropped). */
const KEEP_MS = 24 * 60 * 60 * 1000;
/** Visitors (org, site and fingerprint or token session) kept at the most; the least recently used go. */
const CAPACITY = 20_000;

interface Entry {
  /** Every session of this visitor whose `last_seen` is at or after `bound` (ISO text) is in `sessions`. */
  bound: string;
  sessions: SessionRow[];
}

/**
 * SQLite only: the sessions ingest read and wrote, kept in memory between batches, so that a batch reads
 * from the database only the visitors it has not seen lately.
 *
 * That is exact only while nothing else changed the sessions in between, which ingest checks in each of
 * its transactions, after `BEGIN IMMEDIATE` (so no writer can come between the check and the batch):
 * `PRAGMA data_version` changes when another connection, in this process or any other, has committed to
 * the file, and `total_changes()` counts every row this connection wrote, so a purge, an org deletion or
 * any other write of this process shows as well. Either differing from what the last ingest left drops
 * the whole cache. A transaction that fails drops it too, since ingest changes the cached rows in place.
 *
 * PostgreSQL has no such cheap test for other instances' commits, and several instances on one database
 * are a supported deployment: there every batch reads its sessions.
 */
export class SessionCache {
  private readonly visitors = new Map<string, Entry>();
  private stamp: { changes: number; version: number } | null = null;

  /** In the transaction, before anything is read: forgets everything unless nobody wrote since `seal`. */
  async check(m: EntityManager): Promise<void> {
    const [row] = (await m.query(
      'SELECT total_changes() AS changes, data_version AS version FROM pragma_data_version',
    )) as { changes: number; version: number }[];
    const changes = Number(row!.changes);
    const version = Number(row!.version);
    if (this.stamp?.changes !== changes || this.stamp.version !== version) this.visitors.clear();
    this.stamp = { changes, version };
  }

  /** In the transaction, after the last write: what the database will look like to the next `check`. */
  async seal(m: EntityManager): Promise<void> {
    const [row] = (await m.query('SELECT total_changes() AS changes')) as { changes: number }[];
    if (this.stamp) this.stamp = { changes: Number(row!.changes), version: this.stamp.version };
  }

  clear(): void {
    this.visitors.clear();
    this.stamp = null;
  }

  /**
   * The cached sessions of `refs` active at or after `since`, and the refs that are not cached that far
   * back (whose sessions the caller reads and hands to `remember`).
   */
  lookup(
    orgId: string,
    site: string,
    refs: readonly string[],
    since: string,
  ): { sessions: SessionRow[]; missing: string[] } {
    const sessions: SessionRow[] = [];
    const missing: string[] = [];
    const keep = new Date(Date.parse(since) - KEEP_MS).toISOString();
    for (const ref of refs) {
      const key = `${orgId}\n${site}\n${ref}`;
      const entry = this.visitors.get(key);
      if (!entry || entry.bound > since) {
        missing.push(ref);
        continue;
      }
      if (entry.bound < keep) {
        entry.bound = keep;
        entry.sessions = entry.sessions.filter((s) => s.lastSeen >= keep);
      }
      for (const s of entry.sessions) if (s.lastSeen >= since) sessions.push(s);
      // Most recently used last, so that eviction takes the oldest.
      this.visitors.delete(key);
      this.visitors.set(key, entry);
    }
    return { sessions, missing };
  }

  /** Every session of each of `refs` active at or after `since`, as just read from the database. */
  remember(
    orgId: string,
    site: string,
    refs: readonly string[],
    since: string,
    sessions: SessionRow[],
  ): void {
    for (const ref of refs) this.visitors.set(`${orgId}\n${site}\n${ref}`, { bound: since, sessions: [] });
    for (const s of sessions) this.visitors.get(`${orgId}\n${site}\n${s.fingerprint}`)?.sessions.push(s);
  }

  /** A session the batch created (its visitor was looked up or remembered in the same batch). */
  add(session: SessionRow): void {
    this.visitors.get(`${session.orgId}\n${session.site}\n${session.fingerprint}`)?.sessions.push(session);
  }

  /** Drops the least recently used visitors beyond the capacity. */
  trim(): void {
    for (const key of this.visitors.keys()) {
      if (this.visitors.size <= CAPACITY) break;
      this.visitors.delete(key);
    }
  }
}

const caches = new WeakMap<Database, SessionCache>();

/** The database's session cache; none on PostgreSQL. */
export function sessionCacheOf(db: Database): SessionCache | null {
  if (db.dialect !== 'sqlite') return null;
  let cache = caches.get(db);
  if (!cache) {
    cache = new SessionCache();
    caches.set(db, cache);
  }
  return cache;
}
