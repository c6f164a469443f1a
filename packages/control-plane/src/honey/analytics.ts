import type { Database } from '../db/database.js';

const HOUR = 60 * 60 * 1000;
export const PERIODS = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR } as const;
export type Period = keyof typeof PERIODS;

/** A WHERE clause builder whose `$n` numbers follow the order of appearance (SQLite binds that way). */
class Where {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];
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
  const hits = () => {
    const w = new Where().add('org_id = ?', orgId).add('ts >= ?', since);
    if (site) w.add('site = ?', site);
    return w;
  };
  const q = (sql: string, w: Where) => db.manager.query(sql, w.params) as Promise<{ n: unknown }[]>;
  const all = hits();
  const [total, tripwires, prompts] = await Promise.all([
    q(`SELECT count(*) AS n FROM honey_hits WHERE ${all}`, all),
    q(`SELECT count(*) AS n FROM honey_hits WHERE ${hits().add('tripwire = 1')}`, hits().add('tripwire = 1')),
    q(`SELECT count(*) AS n FROM honey_hits WHERE ${hits().add('prompt = 1')}`, hits().add('prompt = 1')),
  ]);
  const agents = new Where()
    .add('org_id = ?', orgId)
    .add('last_seen >= ?', since)
    .add("classification IN ('AI_AGENT', 'AI_AGENT_MALICIOUS')");
  if (site) agents.add('site = ?', site);
  const traps = new Where().add('org_id = ?', orgId).add('active = 1');
  if (site) traps.add('(site_id IS NULL OR site_id = ?)', site);
  const [agentRows, trapRows] = await Promise.all([
    q(`SELECT count(*) AS n FROM honey_sessions WHERE ${agents}`, agents),
    q(`SELECT count(*) AS n FROM traps WHERE ${traps}`, traps),
  ]);
  return {
    totalHits24h: num(total),
    agentsDetected: num(agentRows),
    tripwiresFired: num(tripwires),
    promptsCaptured: num(prompts),
    activeTraps: num(trapRows),
  };
}

/** Sessions by severity, all time or active within `period`. */
export async function severityCounts(
  db: Database,
  orgId: string,
  site: string | undefined,
  period: Period | undefined,
  nowMs: number,
): Promise<Record<'critical' | 'high' | 'medium' | 'low', number>> {
  const w = new Where().add('org_id = ?', orgId);
  if (site) w.add('site = ?', site);
  if (period) w.add('last_seen >= ?', iso(nowMs - PERIODS[period]));
  const rows = (await db.manager.query(
    `SELECT severity, count(*) AS n FROM honey_sessions WHERE ${w} GROUP BY severity`,
    w.params,
  )) as { severity: string; n: unknown }[];
  const out = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const r of rows) if (r.severity in out) out[r.severity as keyof typeof out] = Number(r.n);
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
  const w = new Where()
    .add('org_id = ?', orgId)
    .add('ts >= ?', iso(start))
    .add('ts < ?', iso(start + 24 * HOUR));
  if (site) w.add('site = ?', site);
  const rows = (await db.manager.query(
    `SELECT substr(ts, 1, 13) AS hour, count(*) AS hits, sum(tripwire) AS tripwires
     FROM honey_hits WHERE ${w} GROUP BY substr(ts, 1, 13)`,
    w.params,
  )) as { hour: string; hits: unknown; tripwires: unknown }[];
  const byHour = new Map(rows.map((r) => [r.hour, r]));
  return Array.from({ length: 24 }, (_, i) => {
    const hour = iso(start + i * HOUR);
    const row = byHour.get(hour.slice(0, 13));
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
  const w = new Where()
    .add('h.org_id = ?', orgId)
    .add('h.ts >= ?', iso(nowMs - PERIODS[period]))
    .add('h.trap_id IS NOT NULL');
  if (site) w.add('h.site = ?', site);
  const rows = (await db.manager.query(
    `SELECT h.trap_id AS trap_id, max(t.name) AS name, max(h.path) AS path, max(h.trap_type) AS type, count(*) AS hits
     FROM honey_hits h LEFT JOIN traps t ON t.id = h.trap_id AND t.org_id = h.org_id
     WHERE ${w} GROUP BY h.trap_id ORDER BY count(*) DESC, h.trap_id`,
    w.params,
  )) as { trap_id: string; name: string | null; path: string; type: string | null; hits: unknown }[];
  return rows.map((r) => ({
    trap_id: r.trap_id,
    name: r.name,
    path: r.path,
    type: r.type,
    hits: Number(r.hits),
  }));
}
