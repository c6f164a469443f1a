import type Router from '@koa/router';
import { z } from 'zod';
import { requirePermission } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { honeyOk } from '../http/envelope.js';
import { NotFound } from '../http/errors.js';
import { parseQuery } from '../http/validate.js';
import type { Services } from '../services.js';
import { readRecord } from './ingest.js';
import type { WireHit } from './ingest-schema.js';
import { score } from './scoring.js';
import { SESSION_COLUMNS, type SessionRow, sessionFromRaw } from './session-row.js';
import { CLASSIFICATIONS, SEVERITIES } from './signals.js';

export class SessionNotFound extends NotFound {
  constructor(id: string) {
    super('SESSION_NOT_FOUND', `Session with id '${id}' not found`);
  }
}

/** The most hits a session detail lists; `hits_total` says how many there are. */
export const DETAIL_HIT_LIMIT = 1_000;

const listQuery = z
  .object({
    classification: z.enum(CLASSIFICATIONS).optional(),
    severity: z.enum(SEVERITIES).optional(),
    site: z.string().max(253).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

/** A session in the list, in the seed's field names (plus `site` and `model_family`). */
function summary(s: SessionRow) {
  return {
    id: s.id,
    source_ip: s.sourceIp,
    user_agent: s.userAgent,
    classification: s.classification,
    score: s.score,
    confidence: s.confidence,
    severity: s.severity,
    signals_fired: s.signalsFired,
    first_seen: s.firstSeen,
    last_seen: s.lastSeen,
    hit_count: s.hitCount,
    site: s.site,
    model_family: s.modelFamily,
  };
}

function hitView(record: WireHit, sessionId: string) {
  return {
    id: record.id,
    ts: record.ts,
    type: record.type,
    method: record.method,
    path: record.path,
    query: record.query,
    status: record.status,
    ip: record.ip,
    user_agent: record.user_agent,
    trap: record.trap,
    token: record.token
      ? {
          kind: record.token.kind,
          channel: record.token.channel,
          reach: record.token.reach,
          issued_at: record.token.issued_at,
          planted_in_session: sessionId,
        }
      : null,
    extraction: record.extraction,
    canary: record.canary,
    login: record.login,
    agent: record.agent,
    probe: record.probe,
  };
}

const iso = (value: string) => new Date(value).toISOString();

/** `/dashboard/api/sessions`: the list (filters, offset paging) and one session in full. */
export function sessionRoutes(router: Router, { db }: Services): void {
  const read = requirePermission('read');

  router.get('/dashboard/api/sessions', read, async (ctx) => {
    const q = parseQuery(ctx, listQuery);
    const { orgId } = ctx.state.principal as Principal;
    const where = ['org_id = $1'];
    const params: unknown[] = [orgId];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (q.classification) add('classification = ?', q.classification);
    if (q.severity) add('severity = ?', q.severity);
    if (q.site) add('site = ?', q.site);
    if (q.from) add('last_seen >= ?', iso(q.from));
    if (q.to) add('first_seen <= ?', iso(q.to));
    const filter = where.join(' AND ');
    // One row more than asked tells whether there is a next page; no count(*), which grows with history.
    const rows = await db.manager.query(
      `SELECT ${SESSION_COLUMNS.join(', ')} FROM honey_sessions WHERE ${filter}
       ORDER BY last_seen DESC, id DESC LIMIT ${q.limit + 1} OFFSET ${q.offset}`,
      params,
    );
    ctx.body = {
      success: true,
      data: rows.slice(0, q.limit).map(sessionFromRaw).map(summary),
      pagination: { limit: q.limit, offset: q.offset, has_more: rows.length > q.limit },
    };
  });

  router.get('/dashboard/api/sessions/:id', read, async (ctx) => {
    const { orgId } = ctx.state.principal as Principal;
    const id = ctx.params.id!;
    const [raw] = await db.manager.query(
      `SELECT ${SESSION_COLUMNS.join(', ')} FROM honey_sessions WHERE id = $1 AND org_id = $2`,
      [id, orgId],
    );
    if (!raw) throw new SessionNotFound(id);
    const session = sessionFromRaw(raw);
    const hitRows = (await db.manager.query(
      `SELECT record FROM honey_hits WHERE session_id = $1 AND org_id = $2 ORDER BY ts, id LIMIT ${DETAIL_HIT_LIMIT}`,
      [id, orgId],
    )) as { record: string }[];
    const hits = hitRows.map((r) => hitView(readRecord(r.record), id));
    const verdict = score(session.signalsFired);
    honeyOk(ctx, {
      ...summary(session),
      source_ips: session.sourceIps,
      user_agents: session.userAgents,
      tripwires_fired: session.tripwiresFired,
      traps_triggered: session.trapsTriggered,
      declared_agent: session.agentName,
      extracted: {
        model: session.model,
        operator: session.operator,
        task: session.task,
        system_prompt: session.systemPrompt,
        model_family: session.modelFamily,
      },
      signals: verdict.signals,
      hits_total: session.hitCount,
      hits,
      callbacks: hits.filter(
        (h) => h.type === 'callback' || h.type === 'extraction' || h.type === 'credential_use',
      ),
    });
  });
}
