import type { EntityManager } from 'typeorm';
import { randomBase62 } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { API_VERSION, type NewEvent } from '../../events/log.js';
import { threatDetectedData } from '../apply-hit.js';
import type { SessionRow } from '../session-row.js';
import { SEVERITIES, type Severity } from '../signals.js';

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Who to tell that a batch queued alerts (the delivery worker of the app that owns the database). */
const listeners = new WeakMap<Database, () => void>();

export function onAlertsQueued(db: Database, listener: () => void): () => void {
  listeners.set(db, listener);
  return () => listeners.delete(db);
}

/** Called after the ingest transaction committed, so the worker does not wait for its next poll. */
export function alertsCommitted(db: Database): void {
  listeners.get(db)?.();
}

/** What changed for one session in a batch, read off the events the batch produced. */
interface Change {
  detected: boolean;
  /** The session's classification and severity before the batch (for escalations). */
  previous: { classification: unknown; severity: unknown } | null;
}

/**
 * The alert trigger, run inside the ingest transaction after the batch's events were appended.
 *
 * Per session and channel, an alert is queued when the session was detected (`threat.detected`) or its
 * severity rose (`session.escalated` with a new severity), the session's severity is at least the
 * channel's minimum, and no alert for this session at this severity or above was queued for this
 * channel before. So a channel hears of a session once when it crosses the channel's threshold and
 * again at each higher severity: at most four times, never for new signals alone. The unique key
 * (session, channel, severity) makes a repeat impossible even if two batches raced.
 *
 * Several rises within one batch are one alert (the session as it stands at commit).
 * Returns how many alerts were queued.
 */
export async function enqueueAlerts(
  m: EntityManager,
  orgId: string,
  site: string,
  events: NewEvent[],
  sessions: Map<string, SessionRow>,
  nowMs: number,
): Promise<number> {
  const changes = new Map<string, Change>();
  for (const e of events) {
    if (e.type !== 'threat.detected' && e.type !== 'session.escalated') continue;
    const id = e.data.session_id as string;
    const change = changes.get(id) ?? { detected: false, previous: null };
    if (e.type === 'threat.detected') change.detected = true;
    else if (e.data.previous_severity !== e.data.severity) {
      change.previous ??= {
        classification: e.data.previous_classification,
        severity: e.data.previous_severity,
      };
    } else if (!changes.has(id)) continue;
    changes.set(id, change);
  }
  if (changes.size === 0) return 0;

  const channels = (
    (await m.query('SELECT id, min_severity, site FROM alert_channels WHERE org_id = $1 AND enabled = 1', [
      orgId,
    ])) as { id: string; min_severity: Severity; site: string | null }[]
  ).filter((c) => c.site === null || c.site === site);
  if (channels.length === 0) return 0;

  const ids = [...changes.keys()];
  const sent = new Map<string, number>();
  const previous = (await m.query(
    `SELECT channel_id, session_id, severity FROM alert_deliveries WHERE session_id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
    ids,
  )) as { channel_id: string; session_id: string; severity: Severity }[];
  for (const p of previous) {
    const key = `${p.channel_id}/${p.session_id}`;
    sent.set(key, Math.max(sent.get(key) ?? -1, rank(p.severity)));
  }

  const trapPaths = await pathsOf(
    m,
    orgId,
    ids.flatMap((id) => sessions.get(id)?.trapsTriggered ?? []),
  );
  const createdAt = new Date(nowMs).toISOString();
  const rows: unknown[][] = [];
  for (const [id, change] of changes) {
    const session = sessions.get(id);
    if (!session || session.detectedAt === null) continue;
    const severity = rank(session.severity);
    const data = alertData(session, trapPaths);
    for (const channel of channels) {
      if (severity < rank(channel.min_severity)) continue;
      if ((sent.get(`${channel.id}/${id}`) ?? -1) >= severity) continue;
      const eventId = `evt_${randomBase62(24)}`;
      const type = change.detected ? 'threat.detected' : 'session.escalated';
      const envelope = {
        id: eventId,
        type,
        api_version: API_VERSION,
        created_at: createdAt,
        data: change.detected || !change.previous ? data : { ...data, ...previousOf(change.previous) },
      };
      rows.push([
        eventId,
        orgId,
        channel.id,
        id,
        session.severity,
        JSON.stringify(envelope),
        'pending',
        0,
        createdAt,
        createdAt,
      ]);
    }
  }
  for (let i = 0; i < rows.length; i += 50) {
    const chunk = rows.slice(i, i + 50);
    const values = chunk.map(
      (_, r) => `(${Array.from({ length: 10 }, (_, c) => `$${r * 10 + c + 1}`).join(', ')})`,
    );
    await m.query(
      `INSERT INTO alert_deliveries (id, org_id, channel_id, session_id, severity, event, status, attempts,
         next_attempt_at, created_at) VALUES ${values.join(', ')}
       ON CONFLICT (session_id, channel_id, severity) DO NOTHING`,
      chunk.flat(),
    );
  }
  return rows.length;
}

const previousOf = (p: { classification: unknown; severity: unknown }) => ({
  previous_classification: p.classification,
  previous_severity: p.severity,
});

/**
 * The alert's data: `threat.detected`'s fields (the seed's), plus what a message shows that they lack.
 * Nothing secret: no prompt text, no tokens.
 */
function alertData(s: SessionRow, trapPaths: Map<string, string>): Record<string, unknown> {
  return {
    ...threatDetectedData(s),
    confidence: s.confidence,
    signals_fired: s.signalsFired,
    trap_paths: s.trapsTriggered.map((t) => trapPaths.get(t) ?? t),
    site: s.site,
    detected_at: s.detectedAt,
    last_seen: s.lastSeen,
  };
}

/** Trap ids to paths; the middleware's unsynced ids (`local:/path`) carry the path themselves. */
async function pathsOf(m: EntityManager, orgId: string, trapIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(trapIds)].slice(0, 500);
  const out = new Map<string, string>();
  for (const id of ids) if (id.startsWith('local:')) out.set(id, id.slice('local:'.length));
  const lookup = ids.filter((id) => !out.has(id));
  if (lookup.length === 0) return out;
  const rows = (await m.query(
    `SELECT id, path FROM traps WHERE org_id = $1 AND id IN (${lookup.map((_, i) => `$${i + 2}`).join(', ')})`,
    [orgId, ...lookup],
  )) as { id: string; path: string }[];
  for (const r of rows) out.set(r.id, r.path);
  return out;
}
