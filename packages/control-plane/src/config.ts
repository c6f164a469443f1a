import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Everything the control plane can be configured with; `loadConfig` fills it from the environment. */
export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  publicUrl: string;
  /** Master key (env-var encryption, token signing). Never logged. */
  secret: string;
  jwt: { jwksUrl: string; issuer?: string } | null;
  rateLimit: { limit: number; windowMs: number };
  logLevel: string;
  retentionDays: number;
  /** Alert channels may target private/loopback addresses (`LOBSTER_ALLOW_PRIVATE_WEBHOOKS=1`). */
  allowPrivateWebhooks: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/lobster.sqlite';

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function boolVar(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

/**
 * The data directory holds the SQLite file and the generated master key. For PostgreSQL it is still
 * where a generated `LOBSTER_SECRET` lives, so every instance must be given the same `LOBSTER_SECRET`.
 */
function dataDir(env: Env, databaseUrl: string): string {
  if (env.LOBSTER_DATA_DIR) return resolve(env.LOBSTER_DATA_DIR);
  const sqlitePath = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : '';
  return sqlitePath && sqlitePath !== ':memory:' ? dirname(resolve(sqlitePath)) : resolve('data');
}

/** Reads the secret file, creating it (mode 0600) on first start. */
function generatedSecret(dir: string): string {
  const file = join(dir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

/** Builds the configuration from environment variables (see the README's table). */
export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with "sqlite:" or "postgres://"');
  }
  const host = env.HOST || '127.0.0.1';
  const port = intVar(env, 'PORT', 4000, 0, 65535);
  const secret = env.LOBSTER_SECRET || generatedSecret(dataDir(env, databaseUrl));
  if (secret.length < 16) throw new ConfigError('LOBSTER_SECRET must be at least 16 characters');
  const jwksUrl = env.LOBSTER_JWT_JWKS_URL;
  return {
    databaseUrl,
    host,
    port,
    publicUrl: (env.LOBSTER_PUBLIC_URL || `http://${host}:${port}`).replace(/\/$/, ''),
    secret,
    jwt: jwksUrl ? { jwksUrl, ...(env.LOBSTER_JWT_ISSUER ? { issuer: env.LOBSTER_JWT_ISSUER } : {}) } : null,
    rateLimit: {
      limit: intVar(env, 'LOBSTER_RATE_LIMIT', 100, 1, 1_000_000),
      windowMs: intVar(env, 'LOBSTER_RATE_LIMIT_WINDOW_MS', 60_000, 1_000, 86_400_000),
    },
    logLevel: env.LOG_LEVEL || 'info',
    retentionDays: intVar(env, 'LOBSTER_RETENTION_DAYS', 90, 1, 36_500),
    allowPrivateWebhooks: boolVar(env, 'LOBSTER_ALLOW_PRIVATE_WEBHOOKS'),
  };
}
