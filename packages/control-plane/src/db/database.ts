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
    if (dialect === 'sqlite') adaptSqlite(dataSource);
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
 * Two adjustments to TypeORM's single SQLite query runner (it serves every query, so this covers all):
 *
 * - SQLite's default deferred `BEGIN` takes the write lock only at the first write; if another process
 *   wrote in between, that upgrade fails at once with SQLITE_BUSY instead of waiting. `BEGIN IMMEDIATE`
 *   takes the write lock up front, so the busy timeout applies and two processes on one file take turns.
 * - Our SQL is written once for both dialects with PostgreSQL's `$1, $2, …`. SQLite accepts those as named
 *   parameters but resolves each name by a linear search, which makes a multi-row INSERT with thousands of
 *   parameters quadratic. Every query numbers its parameters in order of appearance, each used once, so
 *   they map one to one onto positional `?`.
 */
function adaptSqlite(dataSource: DataSource): void {
  const runner = dataSource.createQueryRunner();
  const query = runner.query.bind(runner);
  runner.query = ((sql: string, ...rest: unknown[]) =>
    (query as (...args: unknown[]) => Promise<unknown>)(
      sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql.replace(/\$\d+\b/g, '?'),
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
