import type { Database } from '../db/database.js';
import { HOUR_MS, hourOf } from './hit-hours.js';

const HOUR = 60 * 60 * 1000;
export const PERIODS = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR } as const;
export type Period = keyof typeof PERIODS;

/** A WHERE clause builder whose `$n` numbers follow the order of appearance (SQLite binds that way). */
class Where {
  private readonly parts: string[] = [];
  /** `params`: another Where's, to number on from it (both clauses in one statement, that one first). */
  constructor(readonly params: unknown[] = []) {}
  add(clause: string, ...values: unknown[]): this {
    let sql = clause;
    for (const value of values) {
      this.params.push(value);
      sql = sql.replace('?', `$${this.params.length}`);
    }
    this.parts.push(sql);
    return this;
  }
  toString(): string {
    return this.parts.join(' AND ');
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const num = (rows: { n: unknown }[]) => Number(rows[0]?.n ?? 0);

export interface Overview {
  totalHits24h: number;
  agentsDetected: number;
  tripwiresFired: number;
  promptsCaptured: number;
  activeTraps: number;
}

/**
 * The dashboard's headline numbers, over the last 24 hours except `activeTraps` (the traps answering now).
 * `agentsDetected` counts sessions classified AI_AGENT or AI_AGENT_MALICIOUS that were active in the window.
 */
export async function overview(
  db: Database,
  orgId: string,
  site: string | undefined,
  nowMs: number,
): Promise<Overview> {
  const since = iso(nowMs - PERIODS['24h']);
  const q = (sql: string, w: Where) => db.manager.query(sql, w.params) as Promise<{ n: unknown }[]>;
  const agents = new Where()
    .add('org_id = ?', orgId)
    .add('last_seen >= ?', since)
    .add("classification IN ('AI_AGENT', 'AI_AGENT_MALICIOUS')");
  if (site) agents.add('site = ?', site);
  const traps = new Where().add('org_id = ?', orgId).add('active = 1');
  if (site) traps.add('(site_id IS NULL OR site_id = ?)', site);
  const [counts, agentRows, trapRows] = await Promise.all([
    countsSince(db, orgId, site, nowMs - PERIODS['24h']),
    q(`SELECT count(*) AS n FROM honey_sessions WHERE ${agents}`, agents),
    q(`SELECT count(*) AS n FROM traps WHERE ${traps}`, traps),
  ]);
  let hits = 0;
  let tripwires = 0;
  let prompts = 0;
  for (const c of counts) {
    hits += c.hits;
    tripwires += c.tripwires;
    prompts += c.prompts;
  }
  return {
    totalHits24h: hits,
    agentsDetected: num(agentRows),
    tripwiresFired: tripwires,
    promptsCaptured: prompts,
    activeTraps: num(trapRows),
  };
}

interface TrapCount {
  trapId: string;
  trapType: string | null;
  path: string;
  hits: number;
  tripwires: number;
  prompts: number;
}

/**
 * Hits since `sinceMs` per trap ('' for hits on no trap): whole hours from the hourly roll-up, the partial
 * hour `sinceMs` falls in from the hits themselves, so the answer is exact to the millisecond.
 */
async function countsSince(
  db: Database,
  orgId: string,
  site: string | undefined,
  sinceMs: number,
): Promise<TrapCount[]> {
  const edgeStart = Math.floor(sinceMs / HOUR_MS) * HOUR_MS;
  const hours = new Where().add('org_id = ?', orgId).add('hour > ?', hourOf(iso(edgeStart)));
  if (site) hours.add('site = ?', site);
  const edge = new Where()
    .add('org_id = ?', orgId)
    .add('ts >= ?', iso(sinceMs))
    .add('ts < ?', iso(edgeStart + HOUR_MS));
  if (site) edge.add('site = ?', site);
  const [whole, partial] = (await Promise.all([
    db.manager.query(
      `SELECT trap_id, max(trap_type) AS trap_type, max(path) AS path, sum(hits) AS hits, sum(tripwires) AS tripwires,
         sum(prompts) AS prompts FROM honey_hit_hours WHERE ${hours} GROUP BY trap_id`,
      hours.params,
    ),
    db.manager.query(
      `SELECT COALESCE(trap_id, '') AS trap_id, max(trap_type) AS trap_type, max(path) AS path, count(*) AS hits,
         sum(tripwire) AS tripwires, sum(prompt) AS prompts FROM honey_hits WHERE ${edge} GROUP BY COALESCE(trap_id, '')`,
      edge.params,
    ),
  ])) as Record<string, unknown>[][];
  const byTrap = new Map<string, TrapCount>();
  for (const r of [...whole!, ...partial!]) {
    const id = String(r.trap_id);
    const c = byTrap.get(id) ?? { trapId: id, trapType: null, path: '', hits: 0, tripwires: 0, prompts: 0 };
    c.trapType ??= (r.trap_type as string | null) ?? null;
    if (!c.path) c.path = String(r.path ?? '');
    c.hits += Number(r.hits ?? 0);
    c.tripwires += Number(r.tripwires ?? 0);
    c.prompts += Number(r.prompts ?? 0);
    byTrap.set(id, c);
  }
  return [...byTrap.values()];
}

/**
 * Sessions by severity, all time or active (last seen) within `period`: from `honey_session_hours`, whole
 * hours from the roll-up, and the sessions of the hour the window starts in counted one by one, so the
 * answer is exact to the millisecond. One statement, so both parts read the same snapshot: read apart, a
 * batch committing in between could move a session out of the edge hour after it was counted there and
 * into a later hour before that was summed, counting it twice.
 */
export async function severityCounts(
  db: Database,
  orgId: string,
  site: string | undefined,
  period: Period | undefined,
  nowMs: number,
): Promise<Record<'critical' | 'high' | 'medium' | 'low', number>> {
  let sql: string;
  let params: unknown[];
  const rollUp = (hours: Where) =>
    `SELECT severity, sum(sessions) AS n FROM honey_session_hours WHERE ${hours} GROUP BY severity`;
  if (period) {
    const sinceMs = nowMs - PERIODS[period];
    const edgeStart = Math.floor(sinceMs / HOUR_MS) * HOUR_MS;
    const edge = new Where()
      .add('org_id = ?', orgId)
      .add('last_seen >= ?', iso(sinceMs))
      .add('last_seen < ?', iso(edgeStart + HOUR_MS));
    if (site) edge.add('site = ?', site);
    const hours = new Where(edge.params).add('org_id = ?', orgId);
    if (site) hours.add('site = ?', site);
    hours.add('hour > ?', hourOf(iso(edgeStart)));
    sql = `SELECT severity, sum(n) AS n FROM (
      SELECT severity, count(*) AS n FROM honey_sessions WHERE ${edge} GROUP BY severity
      UNION ALL ${rollUp(hours)}) AS parts GROUP BY severity`;
    params = edge.params;
  } else {
    const hours = new Where().add('org_id = ?', orgId);
    if (site) hours.add('site = ?', site);
    sql = rollUp(hours);
    params = hours.params;
  }
  const rows = (await db.manager.query(sql, params)) as { severity: string; n: unknown }[];
  const out = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const r of rows) if (r.severity in out) out[r.severity as keyof typeof out] += Number(r.n);
  return out;
}

export interface TimelineBucket {
  hour: string;
  hits: number;
  tripwires: number;
}

/**
 * 24 hourly UTC buckets ending with the current hour, zero-filled. A hit at 10:59:59.999 is in the 10:00
 * bucket and one at 11:00:00.000 in the 11:00 bucket (the ISO text's first 13 characters name the hour).
 */
export async function timeline(
  db: Database,
  orgId: string,
  site: string | undefined,
  nowMs: number,
): Promise<TimelineBucket[]> {
  const start = Math.floor(nowMs / HOUR) * HOUR - 23 * HOUR;
  const w = new Where().add('org_id = ?', orgId).add('hour >= ?', hourOf(iso(start)));
  if (site) w.add('site = ?', site);
  const rows = (await db.manager.query(
    `SELECT hour, sum(hits) AS hits, sum(tripwires) AS tripwires FROM honey_hit_hours WHERE ${w} GROUP BY hour`,
    w.params,
  )) as { hour: string; hits: unknown; tripwires: unknown }[];
  const byHour = new Map(rows.map((r) => [r.hour, r]));
  return Array.from({ length: 24 }, (_, i) => {
    const hour = iso(start + i * HOUR);
    const row = byHour.get(hourOf(hour));
    return { hour, hits: Number(row?.hits ?? 0), tripwires: Number(row?.tripwires ?? 0) };
  });
}

export interface TrapHits {
  trap_id: string;
  name: string | null;
  path: string;
  type: string | null;
  hits: number;
}

/** Hits per trap in the period, most hit first; deleted traps keep their counts under their old id. */
export async function hitsPerTrap(
  db: Database,
  orgId: string,
  site: string | undefined,
  period: Period,
  nowMs: number,
): Promise<TrapHits[]> {
  const counts = (await countsSince(db, orgId, site, nowMs - PERIODS[period])).filter((c) => c.trapId !== '');
  const names = new Map<string, string>();
  if (counts.length) {
    const ids = counts.map((c) => c.trapId);
    const rows = (await db.manager.query(
      `SELECT id, name FROM traps WHERE org_id = $1 AND id IN (${ids.map((_, i) => `$${i + 2}`).join(', ')})`,
      [orgId, ...ids],
    )) as { id: string; name: string }[];
    for (const r of rows) names.set(r.id, r.name);
  }
  return counts
    .map((c) => ({
      trap_id: c.trapId,
      name: names.get(c.trapId) ?? null,
      path: c.path,
      type: c.trapType,
      hits: c.hits,
    }))
    .sort((a, b) => b.hits - a.hits || a.trap_id.localeCompare(b.trap_id));
}
