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
  ) {
    if (dialect === 'sqlite') beginImmediately(dataSource);
  }

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

/**
 * SQLite's default deferred `BEGIN` takes the write lock only at the first write; if another process
 * wrote in between, that upgrade fails at once with SQLITE_BUSY instead of waiting. `BEGIN IMMEDIATE`
 * takes the write lock up front, so the busy timeout applies and two processes on one file take turns.
 * The SQLite driver uses a single query runner, so rewriting its BEGIN covers every transaction.
 */
function beginImmediately(dataSource: DataSource): void {
  const runner = dataSource.createQueryRunner();
  const query = runner.query.bind(runner);
  runner.query = ((sql: string, ...rest: unknown[]) =>
    (query as (...args: unknown[]) => Promise<unknown>)(
      sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql,
      ...rest,
    )) as typeof runner.query;
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
