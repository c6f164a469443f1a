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

/** The SQL type of a column written by `insertRows` (PostgreSQL needs it to type the arrays it unnests). */
export type ColumnType = 'text' | 'int';

const isPostgres = (m: EntityManager) => m.connection.options.type === 'postgres';

/**
 * `value` as JSON text for the database's JSON functions. A lone UTF-16 surrogate cannot cross as JSON
 * (JSON.stringify writes it as `\udXXX`, which PostgreSQL refuses and SQLite would store as is), while
 * a bound string turns it into U+FFFD: only then does the slower pass do the same.
 */
function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (!/\\ud[89a-f]/i.test(json)) return json;
  return JSON.stringify(value, (_key, v) =>
    typeof v === 'string' ? (v as string & { toWellFormed(): string }).toWellFormed() : v,
  );
}

/**
 * SQLite: the rows of a JSON parameter, each array materialised once. `json_each`'s `value` is rendered
 * anew from the parsed array every time it is read, so `value->>0, value->>1, …` straight off `json_each`
 * re-renders and re-parses a row per column: on a 26-column session row that was ~40 µs a row, most of
 * what writing sessions cost. Materialised, a row is rendered once and each `->>` reads the stored text.
 */
const SQLITE_ROWS = 'WITH rows AS MATERIALIZED (SELECT key AS k, value AS r FROM json_each($1))';

/**
 * Writes many rows with one statement and one parameter, whatever the row count: the rows go as one JSON
 * array of arrays, which PostgreSQL reads with `jsonb_array_elements` and SQLite with `json_each`. The
 * database parses one short statement instead of a VALUES list with a parameter per field, and the
 * driver binds one string instead of thousands of values (binding them, and PostgreSQL's escaping of
 * arrays, was most of the time a multi-row INSERT spent in Node). Rows are written in array order
 * (events take their log position from it). `suffix` follows the SELECT: an `ON CONFLICT …` clause,
 * say, in which `excluded.<column>` names the new row.
 */
export async function insertRows(
  m: EntityManager,
  table: string,
  columns: readonly (readonly [name: string, type: ColumnType])[],
  rows: readonly unknown[][],
  suffix = '',
): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map(([name]) => name).join(', ');
  const sql = isPostgres(m)
    ? `INSERT INTO ${table} (${names}) SELECT ${columns
        .map(([, type], c) => (type === 'int' ? `(r->>${c})::int` : `r->>${c}`))
        .join(', ')} FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(r, ord) ORDER BY ord ${suffix}`
    : // `WHERE true`: SQLite's grammar needs a WHERE between INSERT … SELECT and an ON CONFLICT clause.
      `${SQLITE_ROWS} INSERT INTO ${table} (${names}) SELECT ${columns
        .map((_, c) => `r->>${c}`)
        .join(', ')} FROM rows WHERE true ORDER BY k ${suffix}`;
  await m.query(sql, [toJson(rows)]);
}

/**
 * Updates many rows by key with one statement and one JSON parameter, as `insertRows` writes them: each
 * row is `[key, value of columns[0], value of columns[1], …]`. Only the named columns are set, so an
 * index over columns that are not named is left alone (an upsert that sets every column rewrites the
 * entries of every index). Returns how many rows it updated: a row deleted meanwhile is not re-created,
 * so a caller that read the rows first can tell.
 */
export async function updateRows(
  m: EntityManager,
  table: string,
  key: string,
  columns: readonly (readonly [name: string, type: ColumnType])[],
  rows: readonly unknown[][],
): Promise<number> {
  if (rows.length === 0) return 0;
  const sql = isPostgres(m)
    ? `UPDATE ${table} SET ${columns
        .map(([name, type], c) => `${name} = ${type === 'int' ? `(r->>${c + 1})::int` : `r->>${c + 1}`}`)
        .join(', ')} FROM jsonb_array_elements($1::jsonb) AS e(r) WHERE ${table}.${key} = r->>0`
    : `${SQLITE_ROWS} UPDATE ${table} SET ${columns
        .map(([name], c) => `${name} = rows.r->>${c + 1}`)
        .join(', ')} FROM rows WHERE ${table}.${key} = rows.r->>0`;
  const result = (await m.query(sql, [toJson(rows)])) as unknown;
  // PostgreSQL: TypeORM answers an UPDATE with [rows, count]. SQLite: the statement starts with WITH, so
  // TypeORM reads it as a query and drops the count; `changes()` is the last statement's, on this connection.
  if (isPostgres(m)) return Number((result as [unknown, number])[1]);
  const [row] = (await m.query('SELECT changes() AS n')) as { n: number }[];
  return Number(row!.n);
}

/**
 * `column` is one of `values`, with a single parameter: `[sql, parameter]` for a WHERE clause, its
 * placeholder `$n`. PostgreSQL compares with `= ANY(array)`, SQLite looks the values up from a JSON array;
 * both use an index on the column.
 */
export function oneOf(
  m: EntityManager,
  column: string,
  n: number,
  values: readonly string[],
): [string, unknown] {
  return isPostgres(m)
    ? [`${column} = ANY($${n}::text[])`, values]
    : [`${column} IN (SELECT value FROM json_each($${n}))`, toJson(values)];
}
