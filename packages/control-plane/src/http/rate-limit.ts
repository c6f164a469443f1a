import type { Middleware } from 'koa';
import type { DataSource } from 'typeorm';
import { type Principal, rateLimitBucket } from '../auth/principal.js';
import { RateLimited } from './errors.js';

export interface RateLimitDecision {
  allowed: boolean;
  /** Requests counted in the window, including this one when allowed. */
  used: number;
  /** Epoch ms of the oldest counted request: the window frees a slot at `oldest + windowMs`. */
  oldest: number;
}

/** A sliding log: every accepted request is remembered for one window. */
export interface RateLimitStore {
  hit(bucket: string, now: number, windowMs: number, limit: number): Promise<RateLimitDecision>;
}

/** For a single instance (SQLite deployments): exact, in memory. */
export class MemoryRateLimitStore implements RateLimitStore {
  /** Per bucket, accepted request times in order; `head` skips expired ones without shifting the array. */
  private readonly logs = new Map<string, { times: number[]; head: number }>();
  private hitsSinceSweep = 0;

  async hit(bucket: string, now: number, windowMs: number, limit: number): Promise<RateLimitDecision> {
    if (++this.hitsSinceSweep >= 10_000) this.sweep(now - windowMs);
    let log = this.logs.get(bucket);
    if (!log) {
      log = { times: [], head: 0 };
      this.logs.set(bucket, log);
    }
    const { times } = log;
    while (log.head < times.length && times[log.head]! <= now - windowMs) log.head++;
    if (log.head > 1024 && log.head * 2 > times.length) {
      times.splice(0, log.head);
      log.head = 0;
    }
    const used = times.length - log.head;
    const allowed = used < limit;
    if (allowed) times.push(now);
    return { allowed, used: allowed ? used + 1 : used, oldest: times[log.head] ?? now };
  }

  /** Forgets buckets whose every request has left the window, so idle keys cost no memory. */
  private sweep(expiredAtOrBefore: number): void {
    this.hitsSinceSweep = 0;
    for (const [bucket, log] of this.logs) {
      if ((log.times.at(-1) ?? 0) <= expiredAtOrBefore) this.logs.delete(bucket);
    }
  }
}

/** Shared by every instance on one PostgreSQL: one call to `lobster_rate_limit_hit` (see migrations). */
export class PostgresRateLimitStore implements RateLimitStore {
  constructor(private readonly dataSource: DataSource) {}

  async hit(bucket: string, now: number, windowMs: number, limit: number): Promise<RateLimitDecision> {
    const rows = (await this.dataSource.query(
      'SELECT allowed, used, oldest FROM lobster_rate_limit_hit($1, $2, $3, $4)',
      [bucket, now, windowMs, limit],
    )) as { allowed: boolean; used: number; oldest: string }[];
    const row = rows[0]!;
    return { allowed: row.allowed, used: Number(row.used), oldest: Number(row.oldest) };
  }
}

/**
 * Limits each principal to `limit` requests per sliding `windowMs` and reports the state on every
 * authenticated response: Limit, Remaining, and Reset (epoch seconds when the next slot frees up).
 */
export function rateLimit(
  store: RateLimitStore,
  options: { limit: number; windowMs: number; clock: () => number },
): Middleware {
  const { limit, windowMs, clock } = options;
  return async (ctx, next) => {
    const principal = ctx.state.principal as Principal;
    const now = clock();
    const decision = await store.hit(rateLimitBucket(principal), now, windowMs, limit);
    const freesAt = decision.oldest + windowMs;
    ctx.set('X-RateLimit-Limit', String(limit));
    ctx.set('X-RateLimit-Remaining', String(Math.max(0, limit - decision.used)));
    ctx.set('X-RateLimit-Reset', String(Math.ceil(freesAt / 1000)));
    if (!decision.allowed) throw new RateLimited(Math.max(1, Math.ceil((freesAt - now) / 1000)));
    await next();
  };
}
