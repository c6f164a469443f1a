import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { trimHourlyCounts } from './hit-hours.js';
import { addSessionHours, placeOf, SessionMoves } from './session-hours.js';
import type { Severity } from './signals.js';

const DAY = 24 * 60 * 60 * 1000;

export interface PurgeResult {
  hits: number;
  sessions: number;
}

/**
 * Deletes hits older than `days`, then the sessions left with no hit, and brings the sessions that
 * straddle the cutoff back in line with the hits they still have (count, first seen). A session's
 * classification, score and signals are kept: they describe what it did, even once the evidence ages out.
 *
 * On PostgreSQL ingest runs meanwhile (a credential planted long ago can bring a hit to a session whose
 * other hits are expiring). Each session is locked before its remaining hits are counted, so an ingest
 * that is writing it commits first and its hits are counted; an ingest that read a session this then
 * deletes finds it gone when it writes, and starts over (see `ingest`). Sessions are locked in id order.
 */
export async function purgeExpired(db: Database, nowMs: number, days: number): Promise<PurgeResult> {
  const cutoff = new Date(nowMs - days * DAY).toISOString();
  const lock = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  return db.transaction(async (m) => {
    const straddling = (await m.query(
      'SELECT DISTINCT session_id FROM honey_hits WHERE ts < $1 ORDER BY session_id',
      [cutoff],
    )) as { session_id: string }[];
    const [{ n: hits }] = await m.query('SELECT count(*) AS n FROM honey_hits WHERE ts < $1', [cutoff]);
    if (Number(hits) === 0) return { hits: 0, sessions: 0 };
    await m.query('DELETE FROM honey_hits WHERE ts < $1', [cutoff]);
    await trimHourlyCounts(m, cutoff);
    let sessions = 0;
    const purged = new Map<string, SessionMoves>();
    for (const { session_id: id } of straddling) {
      const [session] = (await m.query(
        `SELECT org_id, site, severity, last_seen FROM honey_sessions WHERE id = $1${lock}`,
        [id],
      )) as { org_id: string; site: string; severity: Severity; last_seen: string }[];
      const [left] = await m.query(
        'SELECT count(*) AS n, min(ts) AS first FROM honey_hits WHERE session_id = $1',
        [id],
      );
      if (Number(left.n) === 0) {
        if (session) {
          await m.query('DELETE FROM honey_sessions WHERE id = $1', [id]);
          const key = `${session.org_id}\n${session.site}`;
          const moves = purged.get(key) ?? new SessionMoves();
          moves.add(placeOf({ lastSeen: session.last_seen, severity: session.severity }), -1);
          purged.set(key, moves);
        }
        sessions++;
      } else if (session) {
        await m.query('UPDATE honey_sessions SET hit_count = $1, first_seen = $2 WHERE id = $3', [
          Number(left.n),
          left.first,
          id,
        ]);
      }
    }
    for (const [key, moves] of purged) {
      const [orgId, site] = key.split('\n') as [string, string];
      await addSessionHours(m, orgId, site, moves);
    }
    await m.query('DELETE FROM honey_session_hours WHERE sessions = 0');
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
