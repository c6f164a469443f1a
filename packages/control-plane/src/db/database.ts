import type { DataSource, EntityManager } from 'typeorm';
import type { Dialect } from './data-source.js';

/**
 * The data source plus the one rule every write follows: it runs in `transaction()`.
 *
 * TypeORM's SQLite driver shares a single connection, so two overlapping transactions would nest as
 * savepoints of one another and a rollback in one could undo the other's writes. On SQLite,
 * transactions therefore take turns through an in-process queue; on PostgreSQL each gets its own
 * pooled connection.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dataSource: DataSource,
    readonly dialect: Dialect,
  ) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.dataSource.transaction(work);
    const run = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = run.catch(() => {});
    return run;
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** True when a write failed on a UNIQUE constraint (SQLite or PostgreSQL). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || (code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/.test(e.message ?? ''));
}

export function nowIso(ms: number): string {
  return new Date(ms).toISOString();
}
