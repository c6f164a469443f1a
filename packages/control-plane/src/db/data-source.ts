import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { entities } from './entities.js';
import { Init1764000000000 as PostgresInit } from './migrations/postgres/1764000000000-init.js';
import { EventOrder1764000000005 as PostgresEventOrder } from './migrations/postgres/1764000000005-event-order.js';
import { Traps1764000000001 } from './migrations/shared/1764000000001-traps.js';
import { SessionsHits1764000000002 } from './migrations/shared/1764000000002-sessions-hits.js';
import { HitHours1764000000003 } from './migrations/shared/1764000000003-hit-hours.js';
import { SessionFilterIndexes1764000000004 } from './migrations/shared/1764000000004-session-filter-indexes.js';
import { Alerts1764000000006 } from './migrations/shared/1764000000006-alerts.js';
import { IngestWritePath1764000000007 } from './migrations/shared/1764000000007-ingest-write-path.js';
import { SessionFingerprintIndex1764000000008 } from './migrations/shared/1764000000008-session-fingerprint-index.js';
import { SessionHours1764000000009 } from './migrations/shared/1764000000009-session-hours.js';
import { Init1764000000000 as SqliteInit } from './migrations/sqlite/1764000000000-init.js';
import { EventOrder1764000000005 as SqliteEventOrder } from './migrations/sqlite/1764000000005-event-order.js';

export type Dialect = 'sqlite' | 'postgres';

// biome-ignore lint/complexity/noBannedTypes: TypeORM takes migration classes as constructors.
const migrations: Record<Dialect, Function[]> = {
  // Migrations whose SQL both dialects accept live once in migrations/shared; the others per dialect.
  sqlite: [
    SqliteInit,
    Traps1764000000001,
    SessionsHits1764000000002,
    HitHours1764000000003,
    SessionFilterIndexes1764000000004,
    SqliteEventOrder,
    Alerts1764000000006,
    IngestWritePath1764000000007,
    SessionFingerprintIndex1764000000008,
    SessionHours1764000000009,
  ],
  postgres: [
    PostgresInit,
    Traps1764000000001,
    SessionsHits1764000000002,
    HitHours1764000000003,
    SessionFilterIndexes1764000000004,
    PostgresEventOrder,
    Alerts1764000000006,
    IngestWritePath1764000000007,
    SessionFingerprintIndex1764000000008,
    SessionHours1764000000009,
  ],
};

export interface DatabaseTarget {
  dialect: Dialect;
  options: DataSourceOptions;
  /** PostgreSQL schema named by `?schema=` in the URL, created before first use. */
  schema?: string;
}

/**
 * The `sqlite3` module as TypeORM's SQLite driver gets it, minus `verbose()`. TypeORM calls `verbose()`
 * on whatever module it is given, and sqlite3's verbose mode wraps every `run`/`all`/`bind`/`finalize` of
 * every database in the process to capture a stack trace and `util.inspect` its arguments (the whole
 * parameter list of a multi-row INSERT) on each call: about a quarter of ingest's CPU time. Errors still
 * carry SQLite's message and code, which is what the code and the logs use.
 */
function quietSqlite3(): unknown {
  const sqlite3 = createRequire(import.meta.url)('sqlite3') as object;
  return Object.create(sqlite3, { verbose: { value: () => sqlite3 } });
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * `sqlite:PATH`, `sqlite::memory:` or `postgres://…[?schema=NAME]`. A schema lets several deployments
 * (or test suites) share one PostgreSQL database without seeing each other's tables.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    const database = path === ':memory:' ? ':memory:' : resolve(path);
    return {
      dialect: 'sqlite',
      options: {
        type: 'sqlite',
        driver: quietSqlite3(),
        database,
        entities,
        migrations: migrations.sqlite,
        synchronize: false,
        enableWAL: database !== ':memory:',
        busyTimeout: 5_000,
      },
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new Error(`DATABASE_URL schema "${schema}" must match ${SCHEMA_NAME}`);
    }
    return {
      dialect: 'postgres',
      ...(schema ? { schema } : {}),
      options: {
        type: 'postgres',
        url: parsed.toString(),
        entities,
        migrations: migrations.postgres,
        synchronize: false,
        ...(schema ? { schema } : {}),
        extra: { max: 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) },
      },
    };
  }
  throw new Error('DATABASE_URL must start with "sqlite:" or "postgres://"');
}

async function createSchema(target: DatabaseTarget): Promise<void> {
  if (target.dialect !== 'postgres' || !target.schema) return;
  const client = new pg.Client({ connectionString: (target.options as { url: string }).url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${target.schema}`);
  } catch (err) {
    // Two instances starting together may race to create it; the loser finds it there.
    if ((err as { code?: string }).code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

/** Opens the database and brings it to the latest migration (never `synchronize`). */
export async function openDataSource(
  url: string,
  { migrate = true } = {},
): Promise<{
  dataSource: DataSource;
  dialect: Dialect;
}> {
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'sqlite' && target.options.database !== ':memory:') {
    mkdirSync(dirname(target.options.database as string), { recursive: true });
  }
  await createSchema(target);
  const dataSource = new DataSource(target.options);
  await dataSource.initialize();
  try {
    if (target.dialect === 'sqlite') await tuneSqlite(dataSource);
    if (migrate) await runMigrations(dataSource, target.dialect);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return { dataSource, dialect: target.dialect };
}

/**
 * SQLite's defaults are sized for small devices: a 2 MiB page cache, which the indexes of a few tens of
 * thousands of hits outgrow (every insert then re-reads pages from the OS), and a checkpoint whenever the
 * WAL passes 1,000 pages, which an ingest batch of 1,000 hits does by itself, so nearly every commit
 * also copied its pages into the database file. 64 MiB of cache and a checkpoint every 10,000 pages
 * (~40 MiB of WAL) let a page changed by several batches be written back once. Durability is unchanged:
 * `synchronous` stays FULL, so every commit is on disk in the WAL before ingest answers.
 */
async function tuneSqlite(dataSource: DataSource): Promise<void> {
  await dataSource.query('PRAGMA cache_size = -65536');
  if (dataSource.options.database !== ':memory:') await dataSource.query('PRAGMA wal_autocheckpoint = 10000');
}

/** On PostgreSQL an advisory lock lets several instances start at once without racing the migrations. */
export async function runMigrations(dataSource: DataSource, dialect: Dialect): Promise<string[]> {
  if (dialect === 'sqlite') {
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7042001)');
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7042001)').catch(() => {});
    await runner.release();
  }
}
