import type { EntityManager } from 'typeorm';
import { type ColumnType, insertRows } from '../db/database.js';
import type { SessionRow } from './session-row.js';
import { SEVERITIES, type Severity } from './signals.js';

/**
 * `honey_session_counts`: sessions per org, site and severity, changed in the same transaction as the
 * sessions themselves (ingest: a new session adds one, a rise moves one; retention: a purged session
 * takes one away), so the all-time severity breakdown reads a few rows whatever the history.
 */

/** How a batch changed the count per severity: +1 for each new session, −1/+1 for each rise. */
export function severityChanges(
  touched: Iterable<SessionRow>,
  before: ReadonlyMap<string, Severity>,
): Map<Severity, number> {
  const delta = new Map<Severity, number>();
  const add = (severity: Severity, n: number) => delta.set(severity, (delta.get(severity) ?? 0) + n);
  for (const s of touched) {
    const was = before.get(s.id);
    if (was === s.severity) continue;
    if (was !== undefined) add(was, -1);
    add(s.severity, 1);
  }
  return delta;
}

const COLUMNS: [string, ColumnType][] = [
  ['org_id', 'text'],
  ['site', 'text'],
  ['severity', 'text'],
  ['sessions', 'int'],
];

/**
 * Adds `delta` to a site's counts. Rows are written in one fixed order (severity), so two transactions
 * adding to the same rows on PostgreSQL wait for each other instead of deadlocking.
 */
export async function addSessionCounts(
  m: EntityManager,
  orgId: string,
  site: string,
  delta: ReadonlyMap<Severity, number>,
): Promise<void> {
  const rows = SEVERITIES.filter((s) => (delta.get(s) ?? 0) !== 0).map((s) => [orgId, site, s, delta.get(s)]);
  await insertRows(
    m,
    'honey_session_counts',
    COLUMNS,
    rows,
    'ON CONFLICT (org_id, site, severity) DO UPDATE SET sessions = honey_session_counts.sessions + excluded.sessions',
  );
}
