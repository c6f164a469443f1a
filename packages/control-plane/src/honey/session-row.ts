import type { ColumnType } from '../db/database.js';
import { emptyFacts, type SessionFacts } from './facts.js';
import type { Classification, Severity, SignalName } from './signals.js';

/** A row of `honey_sessions`, with its JSON columns parsed. */
export interface SessionRow {
  id: string;
  orgId: string;
  site: string;
  fingerprint: string;
  sourceIp: string;
  sourceIps: string[];
  userAgent: string | null;
  userAgents: string[];
  classification: Classification;
  score: number;
  confidence: number;
  severity: Severity;
  signalsFired: SignalName[];
  facts: SessionFacts;
  tripwiresFired: number;
  hitCount: number;
  trapsTriggered: string[];
  model: string | null;
  operator: string | null;
  task: string | null;
  systemPrompt: string | null;
  modelFamily: string | null;
  agentName: string | null;
  /** When the session was first reported as a threat (threat.detected); null until then. */
  detectedAt: string | null;
  firstSeen: string;
  lastSeen: string;
}

/** What a new session must be given; every other field starts as for a visitor nothing has happened to. */
export type NewSession = Pick<
  SessionRow,
  'id' | 'orgId' | 'site' | 'fingerprint' | 'sourceIp' | 'userAgent' | 'firstSeen' | 'lastSeen'
> &
  Partial<SessionRow>;

/** A session before any signal: a human, score 0, no facts; `fields` over that. */
export function newSessionRow(fields: NewSession): SessionRow {
  return {
    sourceIps: [],
    userAgents: [],
    classification: 'HUMAN',
    score: 0,
    confidence: 0,
    severity: 'low',
    signalsFired: [],
    facts: emptyFacts(),
    tripwiresFired: 0,
    hitCount: 0,
    trapsTriggered: [],
    model: null,
    operator: null,
    task: null,
    systemPrompt: null,
    modelFamily: null,
    agentName: null,
    detectedAt: null,
    ...fields,
  };
}

export const SESSION_COLUMNS = [
  'id',
  'org_id',
  'site',
  'fingerprint',
  'source_ip',
  'source_ips',
  'user_agent',
  'user_agents',
  'classification',
  'score',
  'confidence',
  'severity',
  'signals_fired',
  'facts',
  'tripwires_fired',
  'hit_count',
  'traps_triggered',
  'model',
  'operator',
  'task',
  'system_prompt',
  'model_family',
  'agent_name',
  'detected_at',
  'first_seen',
  'last_seen',
] as const;

const INT_COLUMNS = new Set(['score', 'confidence', 'tripwires_fired', 'hit_count']);

/** The columns with their types, for `insertRows`. */
export const SESSION_COLUMN_TYPES = SESSION_COLUMNS.map((c): readonly [string, ColumnType] => [
  c,
  INT_COLUMNS.has(c) ? 'int' : 'text',
]);

/** Set when a session is created and never changed by a later hit. */
const FIXED_COLUMNS = new Set(['id', 'org_id', 'site', 'fingerprint', 'source_ip', 'user_agent']);
const MUTABLE = SESSION_COLUMNS.flatMap((c, i) => (FIXED_COLUMNS.has(c) ? [] : [i]));

/** The columns a hit can change, with their types, for `updateRows`. */
export const SESSION_UPDATE_COLUMN_TYPES = MUTABLE.map((i) => SESSION_COLUMN_TYPES[i]!);

/** `[id, …the columns a hit can change]`, for `updateRows`. */
export function sessionToUpdate(s: SessionRow): unknown[] {
  const values = sessionToValues(s);
  const out: unknown[] = new Array(MUTABLE.length + 1);
  out[0] = s.id;
  for (let i = 0; i < MUTABLE.length; i++) out[i + 1] = values[MUTABLE[i]!];
  return out;
}

type Raw = Record<(typeof SESSION_COLUMNS)[number], unknown>;

export function sessionFromRaw(r: Raw): SessionRow {
  return {
    id: r.id as string,
    orgId: r.org_id as string,
    site: r.site as string,
    fingerprint: r.fingerprint as string,
    sourceIp: r.source_ip as string,
    sourceIps: JSON.parse(r.source_ips as string),
    userAgent: (r.user_agent as string | null) ?? null,
    userAgents: JSON.parse(r.user_agents as string),
    classification: r.classification as Classification,
    score: Number(r.score),
    confidence: Number(r.confidence),
    severity: r.severity as Severity,
    signalsFired: JSON.parse(r.signals_fired as string),
    facts: JSON.parse(r.facts as string),
    tripwiresFired: Number(r.tripwires_fired),
    hitCount: Number(r.hit_count),
    trapsTriggered: JSON.parse(r.traps_triggered as string),
    model: (r.model as string | null) ?? null,
    operator: (r.operator as string | null) ?? null,
    task: (r.task as string | null) ?? null,
    systemPrompt: (r.system_prompt as string | null) ?? null,
    modelFamily: (r.model_family as string | null) ?? null,
    agentName: (r.agent_name as string | null) ?? null,
    detectedAt: (r.detected_at as string | null) ?? null,
    firstSeen: r.first_seen as string,
    lastSeen: r.last_seen as string,
  };
}

export function sessionToValues(s: SessionRow): unknown[] {
  return [
    s.id,
    s.orgId,
    s.site,
    s.fingerprint,
    s.sourceIp,
    JSON.stringify(s.sourceIps),
    s.userAgent,
    JSON.stringify(s.userAgents),
    s.classification,
    s.score,
    s.confidence,
    s.severity,
    JSON.stringify(s.signalsFired),
    JSON.stringify(s.facts),
    s.tripwiresFired,
    s.hitCount,
    JSON.stringify(s.trapsTriggered),
    s.model,
    s.operator,
    s.task,
    s.systemPrompt,
    s.modelFamily,
    s.agentName,
    s.detectedAt,
    s.firstSeen,
    s.lastSeen,
  ];
}
