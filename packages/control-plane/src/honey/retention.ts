import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { trimHourlyCounts } from './hit-hours.js';

const DAY = 24 * 60 * 60 * 1000;

export interface PurgeResult {
  hits: number;
  sessions: number;
}

/**
 * Deletes hits older than `days`, then the sessions left with no hit, and brings the sessions that
 * straddle the cutoff back in line with the hits they still have (count, first seen). A session's
 * classification, score and signals are kept: they describe what it did, even once the evidence ages out.
 */
export async function purgeExpired(db: Database, nowMs: number, days: number): Promise<PurgeResult> {
  const cutoff = new Date(nowMs - days * DAY).toISOString();
  return db.transaction(async (m) => {
    const straddling = (await m.query('SELECT DISTINCT session_id FROM honey_hits WHERE ts < $1', [
      cutoff,
    ])) as { session_id: string }[];
    const [{ n: hits }] = await m.query('SELECT count(*) AS n FROM honey_hits WHERE ts < $1', [cutoff]);
    if (Number(hits) === 0) return { hits: 0, sessions: 0 };
    await m.query('DELETE FROM honey_hits WHERE ts < $1', [cutoff]);
    await trimHourlyCounts(m, cutoff);
    let sessions = 0;
    for (const { session_id: id } of straddling) {
      const [left] = await m.query(
        'SELECT count(*) AS n, min(ts) AS first FROM honey_hits WHERE session_id = $1',
        [id],
      );
      if (Number(left.n) === 0) {
        await m.query('DELETE FROM honey_sessions WHERE id = $1', [id]);
        sessions++;
      } else {
        await m.query('UPDATE honey_sessions SET hit_count = $1, first_seen = $2 WHERE id = $3', [
          Number(left.n),
          left.first,
          id,
        ]);
      }
    }
    return { hits: Number(hits), sessions };
  });
}

/** Runs the purge shortly after start and then hourly, off the request path. */
export function scheduleRetention(
  db: Database,
  days: number,
  clock: () => number,
  logger: Logger,
): { stop(): void } {
  const run = () =>
    purgeExpired(db, clock(), days).then(
      (r) => r.hits && logger.info({ ...r, days }, 'purged expired trap hits'),
      (err: unknown) => logger.error({ err }, 'retention purge failed'),
    );
  const first = setTimeout(run, 10_000);
  const hourly = setInterval(run, 60 * 60 * 1000);
  first.unref();
  hourly.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(hourly);
    },
  };
}
