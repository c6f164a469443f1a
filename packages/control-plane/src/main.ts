#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDataSource, runMigrations } from './db/data-source.js';
import { Database } from './db/database.js';
import { createLogger } from './logger.js';
import { bootstrapDefaultOrg, createOrgWithAdminKey } from './orgs/bootstrap.js';

const USAGE = `Usage: lobster-control-plane <command>

Commands:
  serve                 run the API server (migrates the database and, on an empty one,
                        creates the default org and prints its admin API key once)
  migrate               bring the database schema up to date and exit
  bootstrap --org NAME  create another org and print its admin API key once

Configuration comes from the environment: DATABASE_URL, HOST, PORT, LOBSTER_SECRET,
LOBSTER_PUBLIC_URL, LOBSTER_JWT_JWKS_URL, LOBSTER_JWT_ISSUER, LOBSTER_RATE_LIMIT,
LOBSTER_RATE_LIMIT_WINDOW_MS, LOBSTER_RETENTION_DAYS, LOBSTER_ALLOW_PRIVATE_WEBHOOKS, LOG_LEVEL
(see the README).`;

function printKey(orgName: string, key: string): void {
  process.stdout.write(
    `\nAdmin API key for org "${orgName}" (shown once, store it now):\n\n    ${key}\n\n` +
      `Try: curl -H "Authorization: Bearer ${key}" http://127.0.0.1:4000/v1/apikeys\n\n`,
  );
}

async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const app = await createApp({
    databaseUrl: config.databaseUrl,
    secret: config.secret,
    publicUrl: config.publicUrl,
    jwt: config.jwt,
    rateLimit: config.rateLimit,
    retentionDays: config.retentionDays,
    allowPrivateWebhooks: config.allowPrivateWebhooks,
    logger,
    processMetrics: true,
  });
  const first = await bootstrapDefaultOrg(app.db, Date.now());
  if (first) printKey(first.org.name, first.apiKey);
  const { url } = await app.listen(config.port, config.host);
  logger.info({ url }, 'lobster control plane listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { dataSource, dialect } = await openDataSource(config.databaseUrl, { migrate: false });
  const db = new Database(dataSource, dialect);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { org: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  switch (command) {
    case 'serve':
      return serve();
    case 'migrate':
      return withDatabase(async (db) => {
        const applied = await runMigrations(db.dataSource, db.dialect);
        process.stdout.write(
          applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n',
        );
      });
    case 'bootstrap': {
      const name = values.org?.trim();
      if (!name) throw new UsageError('bootstrap needs --org NAME');
      return withDatabase(async (db) => {
        await runMigrations(db.dataSource, db.dialect);
        const { org, apiKey } = await createOrgWithAdminKey(db, { name }, Date.now());
        printKey(org.name, apiKey);
      });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (
    err instanceof UsageError ||
    err instanceof ConfigError ||
    (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    process.stderr.write(`lobster-control-plane: ${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`lobster-control-plane: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
