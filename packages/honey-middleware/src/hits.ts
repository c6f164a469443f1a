import type { AgentClaim, AgentPurpose } from './agents.js';
import type { CanaryKind } from './canaries.js';
import type { TokenChannel, TokenKind, TokenReach } from './tokens.js';
import type { TrapType } from './traps/types.js';

/**
 * What happened:
 * - `trap_hit`: a trap path was requested;
 * - `callback`: a planted callback token URL was fetched;
 * - `extraction`: an extraction URL was called (with whatever identity it carried);
 * - `credential_use`: a canary credential came back;
 * - `probe`: something under the callback prefix with a missing, forged, altered or truncated token.
 */
export type HitType = 'trap_hit' | 'callback' | 'extraction' | 'credential_use' | 'probe';

/** Where a returning canary credential was found. */
export type CanaryCarrier =
  | 'authorization-bearer'
  | 'authorization-basic'
  | 'authorization-aws'
  | 'x-api-key'
  | 'query'
  | 'login-body'
  | 'url';

/** The verified token a hit carried (a callback, an extraction, a breadcrumb `ref`, or a canary). */
export interface HitToken {
  id: string;
  kind: TokenKind;
  channel: TokenChannel;
  reach: TokenReach;
  /** Session reference (fingerprint) of the visitor the token was planted for. */
  session: string;
  /** Id of the trap that planted it, when this process knows it; else null (see `trap_ref`). */
  trap: string | null;
  trap_ref: string;
  /** ISO time the token was issued; null for AWS access key ids, which have no room for it. */
  issued_at: string | null;
}

/** One hit, exactly as sent to `POST /api/v1/ingest` (the README documents each field and its limit). */
export interface HitRecord {
  id: string;
  type: HitType;
  ts: string;
  site: string;
  method: string;
  path: string;
  query: string | null;
  status: number;
  ip: string;
  user_agent: string | null;
  accept: string | null;
  referer: string | null;
  fingerprint: string;
  trap: { id: string; name: string; path: string; type: TrapType } | null;
  token: HitToken | null;
  extraction: {
    model: string | null;
    operator: string | null;
    task: string | null;
    system_prompt: string | null;
    truncated: boolean;
  } | null;
  canary: { kind: CanaryKind; carrier: CanaryCarrier } | null;
  canaries_planted: CanaryKind[];
  robots_disallow: string[];
  login: { username: string | null } | null;
  agent: { name: string; operator: string | null; purpose: AgentPurpose; function: string } | null;
  is_bot: boolean;
  probe: { reason: 'missing' | 'malformed' | 'bad-signature' | 'future' } | null;
}

/** Field limits of the wire contract; the control plane rejects longer values, so they are cut here. */
export const LIMITS = {
  path: 2048,
  query: 2048,
  userAgent: 1024,
  header: 512,
  site: 253,
  model: 256,
  operator: 256,
  task: 4096,
  systemPrompt: 16_384,
  username: 256,
  disallow: 32,
} as const;

/** Cuts a string to `max` UTF-16 units without splitting a surrogate pair. */
export function cut(value: string | undefined | null, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value[max - 1] ?? '') ? max - 1 : max;
  return value.slice(0, end);
}

export function agentField(agent: AgentClaim | null): HitRecord['agent'] {
  return agent
    ? {
        name: agent.name,
        operator: agent.operator,
        purpose: agent.purpose,
        function: cut(agent.function, 512) ?? '',
      }
    : null;
}

let isoMs = -1;
let isoText = '';

/**
 * The current time as an ISO 8601 string, for a hit's `ts`. Formatting a `Date` measured ~3 µs a call;
 * traps under load make several hits per millisecond, which share one string.
 */
export function isoNow(now: number = Date.now()): string {
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}
