import type { EntityManager } from 'typeorm';
import { type Database, insertRows, oneOf, updateRows } from '../db/database.js';
import { appendEvents, type NewEvent } from '../events/log.js';
import { ValidationFailed } from '../http/errors.js';
import { parseWith } from '../http/validate.js';
import { alertsCommitted, enqueueAlerts } from './alerts/trigger.js';
import { applyHit, capturedPrompt, isTripwireHit, signalKind, threatDetectedData } from './apply-hit.js';
import { addHourlyCounts, HourlyCounter } from './hit-hours.js';
import { HIT_COLUMNS, hitRow } from './hit-row.js';
import { MAX_CLOCK_SKEW_MS, readWireHit, type WireHit, wireHit } from './ingest-schema.js';
import { type SessionCache, sessionCacheOf } from './session-cache.js';
import { addSessionHours, placeOf, SessionMoves } from './session-hours.js';
import { INACTIVITY_MS, SessionResolver } from './session-resolver.js';
import {
  SESSION_COLUMN_TYPES,
  SESSION_COLUMNS,
  SESSION_UPDATE_COLUMN_TYPES,
  type SessionRow,
  sessionFromRaw,
  sessionToUpdate,
  sessionToValues,
} from './session-row.js';

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/**
 * Validates every hit first: one bad hit rejects the whole batch, naming its index, before anything is
 * written. Timestamps further than a day from the server's clock are refused as absurd.
 */
export function validateHits(site: string, raw: unknown[], nowMs: number): WireHit[] {
  return raw.map((value, i) => {
    const hit = readWireHit(value) ?? parseWith(wireHit, value, `hits[${i}]`);
    if (hit.site !== site)
      throw new ValidationFailed(`hits[${i}].site: must equal the batch's site "${site}"`);
    const at = Date.parse(hit.ts);
    if (Math.abs(at - nowMs) > MAX_CLOCK_SKEW_MS) {
      throw new ValidationFailed(`hits[${i}].ts: ${hit.ts} is more than 24 hours from the server's clock`);
    }
    return hit;
  });
}

/**
 * A session the batch read was gone when the batch wrote it: retention deleted it in between (on
 * PostgreSQL, where the two run at once). The batch is tried again and reads what is there now.
 */
class SessionGone extends Error {}

const ATTEMPTS = 3;

/** Worth trying the whole batch again: a session vanished under it, or PostgreSQL broke a deadlock. */
function retryable(err: unknown): boolean {
  if (err instanceof SessionGone) return true;
  const e = err as { code?: string; driverError?: { code?: string } };
  return (e?.driverError?.code ?? e?.code) === '40P01';
}

/**
 * Stores a batch and re-scores every session it touches, in one transaction: the caller answers 202 only
 * after this resolves. Hits already stored (same org and id) are counted as duplicates and change nothing.
 */
export async function ingest(
  db: Database,
  orgId: string,
  site: string,
  hits: WireHit[],
  nowMs: number,
): Promise<IngestResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ingestOnce(db, orgId, site, hits, nowMs);
    } catch (err) {
      if (attempt >= ATTEMPTS || !retryable(err)) throw err;
    }
  }
}

async function ingestOnce(
  db: Database,
  orgId: string,
  site: string,
  hits: WireHit[],
  nowMs: number,
): Promise<IngestResult> {
  let alertsQueued = 0;
  const cache = sessionCacheOf(db);
  const result = await db
    .transaction(async (m) => {
      if (cache) await cache.check(m);
      const refs = [
        ...new Set(hits.flatMap((h) => [h.fingerprint, ...(h.token ? [h.token.session] : [])])),
      ].sort();
      if (db.dialect === 'postgres') await lockSessions(m, orgId, site, refs);

      const stored = await existingHitIds(
        m,
        orgId,
        hits.map((h) => h.id),
      );
      const fresh: WireHit[] = [];
      for (const hit of hits) {
        if (stored.has(hit.id)) continue;
        stored.add(hit.id);
        fresh.push(hit);
      }
      if (fresh.length === 0) return { accepted: 0, duplicates: hits.length };

      const times = fresh.map((h) => Date.parse(h.ts));
      const since = new Date(
        Math.min(
          ...times,
          ...fresh.flatMap((h) => (h.token?.issued_at ? [Date.parse(h.token.issued_at)] : [])),
        ) - INACTIVITY_MS,
      ).toISOString();
      const loaded = await sessionsOf(m, cache, orgId, site, refs, since);
      const placeBefore = new Map(loaded.map((s) => [s.id, placeOf(s)]));
      const resolver = new SessionResolver(orgId, site, loaded);
      const touched = new Map<string, SessionRow>();
      const receivedAt = new Date(nowMs).toISOString();
      const rows: unknown[][] = [];
      const events: NewEvent[] = [];
      const hourly = new HourlyCounter();

      // In time order, so "first request", spacing and windows see hits as they happened.
      const order = fresh.map((hit, i) => ({ hit, at: times[i]! })).sort((a, b) => a.at - b.at);
      for (const { hit, at } of order) {
        const session = resolver.resolve(hit, at);
        touched.set(session.id, session);
        const effects = applyHit(session, hit, at);
        const ts = new Date(at).toISOString();
        const tripwire = isTripwireHit(hit);
        const prompt = capturedPrompt(hit);
        rows.push(hitRow(hit, { orgId, sessionId: session.id, site, ts, receivedAt, tripwire, prompt }));
        for (const event of hitEvents(orgId, session, hit, effects)) events.push(event);
        hourly.add(site, ts, hit.trap, tripwire, prompt);
      }

      await insertRows(m, 'honey_hits', HIT_COLUMNS, rows);
      await writeSessions(m, touched.values(), placeBefore);
      await addHourlyCounts(m, orgId, hourly.values());
      const moves = new SessionMoves();
      for (const s of touched.values()) moves.move(placeBefore.get(s.id), placeOf(s));
      await addSessionHours(m, orgId, site, moves);
      await appendEvents(m, events, nowMs);
      alertsQueued = await enqueueAlerts(m, orgId, site, events, touched, nowMs);
      if (cache) {
        for (const s of touched.values()) if (!placeBefore.has(s.id)) cache.add(s);
        cache.trim();
        await cache.seal(m);
      }
      return { accepted: fresh.length, duplicates: hits.length - fresh.length };
    })
    .catch((err: unknown) => {
      // The cached sessions may hold changes that were rolled back.
      cache?.clear();
      throw err;
    });
  if (alertsQueued > 0) alertsCommitted(db);
  return result;
}

/** The events one hit causes, in the order they happened. */
function hitEvents(
  orgId: string,
  session: SessionRow,
  hit: WireHit,
  effects: ReturnType<typeof applyHit>,
): NewEvent[] {
  const events: NewEvent[] = [];
  const add = (type: string, data: Record<string, unknown>) => events.push({ orgId, type, data });
  for (const signal of effects.newSignals) {
    add('signal.fired', { session_id: session.id, signal, kind: signalKind(signal), hit_id: hit.id });
  }
  if (hit.type === 'credential_use' && hit.canary) {
    add('credential.used', {
      session_id: session.id,
      hit_id: hit.id,
      canary_kind: hit.canary.kind,
      carrier: hit.canary.carrier,
      source_ip: hit.ip,
      path: hit.path,
    });
  }
  if (capturedPrompt(hit)) {
    add('prompt.captured', {
      session_id: session.id,
      hit_id: hit.id,
      model: hit.extraction?.model ?? null,
      operator: hit.extraction?.operator ?? null,
      model_family: session.modelFamily,
      system_prompt_length: hit.extraction?.system_prompt?.length ?? 0,
    });
  }
  if (effects.becameThreat) add('threat.detected', threatDetectedData(session));
  if (effects.escalated) {
    add('session.escalated', {
      ...threatDetectedData(session),
      previous_classification: effects.escalated.from.classification.toLowerCase(),
      previous_severity: effects.escalated.from.severity,
    });
  }
  return events;
}

/** Serialises concurrent batches (on any instance) that touch the same visitors, in a fixed order. */
async function lockSessions(m: EntityManager, orgId: string, site: string, refs: string[]): Promise<void> {
  await m.query(
    `SELECT pg_advisory_xact_lock(h) FROM (
       SELECT hashtextextended($1 || '/' || $2 || '/' || k, 0) AS h FROM unnest($3::text[]) AS k ORDER BY 1
     ) AS keys`,
    [orgId, site, refs],
  );
}

async function existingHitIds(m: EntityManager, orgId: string, ids: string[]): Promise<Set<string>> {
  const [match, list] = oneOf(m, 'id', 2, ids);
  const rows = (await m.query(`SELECT id FROM honey_hits WHERE org_id = $1 AND ${match}`, [orgId, list])) as {
    id: string;
  }[];
  return new Set(rows.map((r) => r.id));
}

/** The sessions of `refs` active since `since`: from the cache where it has them, else from the database. */
async function sessionsOf(
  m: EntityManager,
  cache: SessionCache | null,
  orgId: string,
  site: string,
  refs: string[],
  since: string,
): Promise<SessionRow[]> {
  if (!cache) return loadSessions(m, orgId, site, refs, since);
  const { sessions, missing } = cache.lookup(orgId, site, refs, since);
  if (missing.length === 0) return sessions;
  const loaded = await loadSessions(m, orgId, site, missing, since);
  cache.remember(orgId, site, missing, since, loaded);
  return [...sessions, ...loaded];
}

async function loadSessions(
  m: EntityManager,
  orgId: string,
  site: string,
  refs: string[],
  since: string,
): Promise<SessionRow[]> {
  const [match, list] = oneOf(m, 'fingerprint', 4, refs);
  const rows = await m.query(
    `SELECT ${SESSION_COLUMNS.join(', ')} FROM honey_sessions
     WHERE org_id = $1 AND site = $2 AND last_seen >= $3 AND ${match}`,
    [orgId, site, since, list],
  );
  return rows.map(sessionFromRaw);
}

export function readRecord(text: string): WireHit {
  const value: unknown = JSON.parse(text);
  return readWireHit(value) ?? wireHit.parse(value);
}

/**
 * New sessions are inserted, the others updated in the columns a hit can change: the fingerprint index
 * (org, site, fingerprint) then stays as it is, and no row is written twice. An update finds every
 * session it read, or the batch fails with `SessionGone` (its hits would otherwise point at a deleted
 * session, and the session roll-up would move a session that is no longer counted).
 */
async function writeSessions(
  m: EntityManager,
  sessions: Iterable<SessionRow>,
  known: { has(id: string): boolean },
): Promise<void> {
  const created: unknown[][] = [];
  const changed: unknown[][] = [];
  for (const s of sessions) {
    if (known.has(s.id)) changed.push(sessionToUpdate(s));
    else created.push(sessionToValues(s));
  }
  await insertRows(m, 'honey_sessions', SESSION_COLUMN_TYPES, created);
  const updated = await updateRows(m, 'honey_sessions', 'id', SESSION_UPDATE_COLUMN_TYPES, changed);
  if (updated !== changed.length) {
    throw new SessionGone(`${changed.length - updated} of the batch's sessions were deleted meanwhile`);
  }
}
