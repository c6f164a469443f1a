/**
 * The shapes the API returns, field for field. LobsterHoney resources keep their snake_case names (as in
 * the API reference); LobsterCage resources (API keys, whoami) are camelCase. Nothing is renamed, so what
 * you read here is what `curl` shows.
 */

export type ApiKeyScope = 'read-only' | 'read-write' | 'admin' | 'ingest';

export interface ApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  /** The key's first 8 characters, to tell keys apart. */
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** The create response: the only time the key itself is shown. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface RevokedApiKey extends ApiKey {
  revokedAt: string;
}

export interface Whoami {
  orgId: string;
  scope: ApiKeyScope;
  credential: 'apikey' | 'jwt';
  keyId?: string;
  subject?: string;
}

export type TrapType = 'file' | 'config' | 'api' | 'page';

export interface Trap {
  id: string;
  name: string;
  path: string;
  type: TrapType;
  description: string;
  /** 1 or 0, as in the API reference. */
  active: number;
  /** Comma-separated channels, e.g. `html-comment,json-meta,prose`. */
  injection_formats: string;
  /** Null: the trap applies to every site. */
  site_id: string | null;
  created_at: string;
  updated_at: string;
  org_id: string;
}

export interface Deleted {
  id: string;
  deleted: true;
}

export type Classification = 'HUMAN' | 'BOT' | 'AI_AGENT' | 'AI_AGENT_MALICIOUS';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface SessionSummary {
  id: string;
  source_ip: string;
  user_agent: string;
  classification: Classification;
  score: number;
  confidence: number;
  severity: Severity;
  signals_fired: string[];
  first_seen: string;
  last_seen: string;
  hit_count: number;
  site: string;
  model_family: string | null;
}

export interface SignalContribution {
  signal: string;
  kind: 'tripwire' | 'behavioral';
  points: number;
  confidence_share: number;
}

/** One recorded hit; the nested objects are the middleware's wire format, kept as sent. */
export interface SessionHit {
  id: string;
  ts: string;
  type: string;
  method: string;
  path: string;
  query: string | null;
  status: number;
  ip: string;
  user_agent: string;
  trap: Record<string, unknown> | null;
  token: Record<string, unknown> | null;
  extraction: Record<string, unknown> | null;
  canary: Record<string, unknown> | null;
  login: Record<string, unknown> | null;
  agent: Record<string, unknown> | null;
  probe: Record<string, unknown> | null;
}

export interface SessionDetail extends SessionSummary {
  source_ips: string[];
  user_agents: string[];
  tripwires_fired: number;
  traps_triggered: string[];
  declared_agent: string | null;
  extracted: {
    model: string | null;
    operator: string | null;
    task: string | null;
    system_prompt: string | null;
    model_family: string | null;
  };
  signals: SignalContribution[];
  hits_total: number;
  hits: SessionHit[];
  callbacks: SessionHit[];
}

export type Period = '24h' | '7d' | '30d';

export interface AnalyticsOverview {
  totalHits24h: number;
  agentsDetected: number;
  tripwiresFired: number;
  promptsCaptured: number;
  activeTraps: number;
}

export type SeverityCounts = Record<Severity, number>;

export interface TimelineBucket {
  hour: string;
  hits: number;
  tripwires: number;
}

export interface TrapHits {
  trap_id: string;
  /** Null for a trap deleted since. */
  name: string | null;
  path: string;
  type: string | null;
  hits: number;
}

export type AlertChannelType = 'slack' | 'discord' | 'webhook';

export interface AlertChannel {
  id: string;
  name: string;
  type: AlertChannelType;
  /** The URL is write-only; this hint is all that is shown of it. */
  url_hint: string;
  min_severity: Severity;
  enabled: number;
  site: string | null;
  created_at: string;
  updated_at: string;
}

/** The create response; webhook channels get their signing secret here and nowhere else. */
export interface CreatedAlertChannel extends AlertChannel {
  signing_secret?: string;
}

export interface AlertChannelDetail extends AlertChannel {
  deliveries: { pending: number; delivered: number; failed: number };
}

export interface AlertTestResult {
  id: string;
  delivered: boolean;
  response_status: number | null;
  error: string | null;
}

export interface LobsterEvent {
  id: string;
  type: string;
  api_version: string;
  created_at: string;
  data: Record<string, unknown>;
}
