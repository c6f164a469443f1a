import type { EntityManager } from 'typeorm';
import { type ColumnType, insertRows } from '../db/database.js';

/**
 * `honey_hit_hours`: hits, tripwires and captured prompts per org, site, UTC hour and trap. Ingest adds to
 * it in the same transaction as the hits, retention takes away what it purges, and analytics reads it
 * for whole hours (plus the raw hits of a partial first hour), so a 30-day question costs at most
 * 720 rows per trap whatever the traffic.
 */
export const HOUR_MS = 60 * 60 * 1000;

/** "2026-03-20T10" — the first 13 characters of an ISO timestamp name its UTC hour. */
export const hourOf = (iso: string): string => iso.slice(0, 13);

export interface HourlyCount {
  site: string;
  hour: string;
  trapId: string;
  trapType: string | null;
  path: string;
  hits: number;
  tripwires: number;
  prompts: number;
}

const HOUR_COLUMNS: [string, ColumnType][] = [
  ['org_id', 'text'],
  ['site', 'text'],
  ['hour', 'text'],
  ['trap_id', 'text'],
  ['trap_type', 'text'],
  ['path', 'text'],
  ['hits', 'int'],
  ['tripwires', 'int'],
  ['prompts', 'int'],
];

/** Folds counted hits into the roll-up (INSERT … ON CONFLICT DO UPDATE, both dialects). */
export async function addHourlyCounts(m: EntityManager, orgId: string, counts: HourlyCount[]): Promise<void> {
  await insertRows(
    m,
    'honey_hit_hours',
    HOUR_COLUMNS,
    counts.map((c) => [orgId, c.site, c.hour, c.trapId, c.trapType, c.path, c.hits, c.tripwires, c.prompts]),
    `ON CONFLICT (org_id, hour, site, trap_id) DO UPDATE SET
       hits = honey_hit_hours.hits + excluded.hits,
       tripwires = honey_hit_hours.tripwires + excluded.tripwires,
       prompts = honey_hit_hours.prompts + excluded.prompts`,
  );
}

/** Counts a batch's hits per site, hour and trap. */
export class HourlyCounter {
  private readonly counts = new Map<string, HourlyCount>();

  add(
    site: string,
    ts: string,
    trap: { id: string; type: string; path: string } | null,
    tripwire: boolean,
    prompt: boolean,
  ) {
    const hour = hourOf(ts);
    const trapId = trap?.id ?? '';
    const key = `${site}\n${hour}\n${trapId}`;
    let c = this.counts.get(key);
    if (!c) {
      c = {
        site,
        hour,
        trapId,
        trapType: trap?.type ?? null,
        path: trap?.path ?? '',
        hits: 0,
        tripwires: 0,
        prompts: 0,
      };
      this.counts.set(key, c);
    }
    c.hits += 1;
    if (tripwire) c.tripwires += 1;
    if (prompt) c.prompts += 1;
  }

  values(): HourlyCount[] {
    return [...this.counts.values()];
  }
}

/**
 * After retention deleted every hit before `cutoffIso`: hours wholly before it are dropped, and the hour
 * it falls in is counted again from the hits that remain.
 */
export async function trimHourlyCounts(m: EntityManager, cutoffIso: string): Promise<void> {
  const hour = hourOf(cutoffIso);
  await m.query('DELETE FROM honey_hit_hours WHERE hour <= $1', [hour]);
  const nextHour = new Date(Date.parse(`${hour}:00:00.000Z`) + HOUR_MS).toISOString();
  await m.query(
    `INSERT INTO honey_hit_hours (org_id, site, hour, trap_id, trap_type, path, hits, tripwires, prompts)
     SELECT org_id, site, substr(ts, 1, 13), COALESCE(trap_id, ''), max(trap_type), max(path), count(*), sum(tripwire), sum(prompt)
     FROM honey_hits WHERE ts >= $1 AND ts < $2
     GROUP BY org_id, site, substr(ts, 1, 13), COALESCE(trap_id, '')`,
    [cutoffIso, nextHour],
  );
}
