import type { EntityManager } from 'typeorm';
import { type ColumnType, insertRows } from '../db/database.js';
import { hourOf } from './hit-hours.js';
import type { SessionRow } from './session-row.js';
import type { Severity } from './signals.js';

/**
 * `honey_session_hours`: sessions per org, UTC hour of their `last_seen`, site and severity, changed in
 * the same transaction as the sessions themselves (ingest: a new session adds one, a session whose hour
 * or severity a batch changed moves from one row to another; retention: a deleted session takes one
 * away). Severity all time is a sum over a site's rows, severity for a window the sum over the whole
 * hours in it plus the sessions of the hour it starts in, so neither counts sessions one by one.
 */

/** Where a session is counted: the hour it was last seen in and its severity. */
export interface SessionPlace {
  hour: string;
  severity: Severity;
}

export const placeOf = (s: Pick<SessionRow, 'lastSeen' | 'severity'>): SessionPlace => ({
  hour: hourOf(s.lastSeen),
  severity: s.severity,
});

/** Changes to the counts, keyed by place. */
export class SessionMoves {
  private readonly delta = new Map<string, { place: SessionPlace; n: number }>();

  add(place: SessionPlace, n: number): void {
    const key = `${place.hour}\n${place.severity}`;
    const entry = this.delta.get(key);
    if (entry) entry.n += n;
    else this.delta.set(key, { place, n });
  }

  /** A session that was at `before` (undefined: it is new) and is at `after`. */
  move(before: SessionPlace | undefined, after: SessionPlace): void {
    if (before?.hour === after.hour && before.severity === after.severity) return;
    if (before) this.add(before, -1);
    this.add(after, 1);
  }

  /** The non-zero changes in one fixed order (hour, then severity). */
  rows(): { place: SessionPlace; n: number }[] {
    return [...this.delta.entries()]
      .filter(([, e]) => e.n !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, e]) => e);
  }
}

const COLUMNS: [string, ColumnType][] = [
  ['org_id', 'text'],
  ['hour', 'text'],
  ['site', 'text'],
  ['severity', 'text'],
  ['sessions', 'int'],
];

/**
 * Adds the moves to a site's counts. Rows are written in one fixed order, so two transactions adding to
 * the same rows on PostgreSQL wait for each other instead of deadlocking.
 */
export async function addSessionHours(
  m: EntityManager,
  orgId: string,
  site: string,
  moves: SessionMoves,
): Promise<void> {
  await insertRows(
    m,
    'honey_session_hours',
    COLUMNS,
    moves.rows().map(({ place, n }) => [orgId, place.hour, site, place.severity, n]),
    'ON CONFLICT (org_id, hour, site, severity) DO UPDATE SET sessions = honey_session_hours.sessions + excluded.sessions',
  );
}
