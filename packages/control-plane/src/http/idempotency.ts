import type { Middleware } from 'koa';
import type { Principal } from '../auth/principal.js';
import { sha256Hex } from '../crypto.js';
import { type Database, isUniqueViolation } from '../db/database.js';
import { readJsonBody } from './body.js';
import { IdempotencyKeyInUse, IdempotencyKeyReused, ValidationFailed } from './errors.js';

const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['Content-Type', 'Location'];
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface StoredRow {
  request_hash: string;
  status: number | null;
  headers: string | null;
  body: string | null;
  created_at: string;
}

/**
 * Stripe-style `Idempotency-Key` on POST: the first request reserves the key; a repeat with the same
 * method, path and body gets the stored response with `Idempotent-Replayed: true`; a repeat with a
 * different body is a 422; a repeat while the first is still running is a 409. Only completed
 * non-5xx responses are kept (for 24 h); a failure frees the key so the client can retry.
 */
export function idempotency(db: Database, clock: () => number): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST') return next();
    const key = ctx.get('Idempotency-Key');
    if (!key) return next();
    if (!KEY_SHAPE.test(key))
      throw new ValidationFailed('Idempotency-Key: must be 1-255 printable ASCII characters');

    const principal = (ctx.state.principal as Principal).id;
    const { text } = await readJsonBody(ctx);
    const requestHash = sha256Hex(`${ctx.method} ${ctx.path}\n${text}`);
    const now = clock();

    const existing = await find(db, principal, key);
    if (existing && Date.parse(existing.created_at) > now - IDEMPOTENCY_TTL_MS) {
      if (existing.request_hash !== requestHash) throw new IdempotencyKeyReused();
      if (existing.status === null) throw new IdempotencyKeyInUse();
      ctx.status = existing.status;
      for (const [name, value] of Object.entries(
        JSON.parse(existing.headers ?? '{}') as Record<string, string>,
      )) {
        ctx.set(name, value);
      }
      ctx.set('Idempotent-Replayed', 'true');
      ctx.body = existing.body === null ? null : JSON.parse(existing.body);
      return;
    }

    try {
      await db.transaction(async (m) => {
        if (existing)
          await m.query('DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2', [principal, key]);
        await m.query(
          'INSERT INTO idempotency_keys (principal, key, request_hash, created_at) VALUES ($1, $2, $3, $4)',
          [principal, key, requestHash, new Date(now).toISOString()],
        );
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new IdempotencyKeyInUse();
      throw err;
    }

    let completed = false;
    try {
      await next();
      completed = ctx.status < 500;
    } finally {
      await db.transaction(async (m) => {
        if (completed) {
          const headers = Object.fromEntries(
            REPLAYED_HEADERS.flatMap((h) => (ctx.response.get(h) ? [[h, ctx.response.get(h)]] : [])),
          );
          await m.query(
            'UPDATE idempotency_keys SET status = $1, headers = $2, body = $3 WHERE principal = $4 AND key = $5',
            [
              ctx.status,
              JSON.stringify(headers),
              ctx.body === undefined ? null : JSON.stringify(ctx.body),
              principal,
              key,
            ],
          );
        } else {
          await m.query('DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2', [principal, key]);
        }
      });
    }
  };
}

async function find(db: Database, principal: string, key: string): Promise<StoredRow | null> {
  const rows = (await db.manager.query(
    'SELECT request_hash, status, headers, body, created_at FROM idempotency_keys WHERE principal = $1 AND key = $2',
    [principal, key],
  )) as StoredRow[];
  return rows[0] ?? null;
}
