import { foldHit, isSubstantialPrompt, type ScoringHit } from './facts.js';
import type { WireHit } from './ingest-schema.js';
import { modelFamily } from './model-family.js';
import { escalate, score, type Verdict } from './scoring.js';
import type { SessionRow } from './session-row.js';
import { SIGNALS, type SignalName } from './signals.js';

const MAX_IPS = 32;
const MAX_USER_AGENTS = 16;
const MAX_TRAPS = 64;

/** Hits that are tripwires by themselves: a planted token or a canary came back. */
export const isTripwireHit = (hit: WireHit): boolean =>
  hit.type === 'callback' || hit.type === 'extraction' || hit.type === 'credential_use';

export const capturedPrompt = (hit: WireHit): boolean =>
  hit.type === 'extraction' && isSubstantialPrompt(hit.extraction?.system_prompt ?? null);

function toScoringHit(hit: WireHit, at: number): ScoringHit {
  return {
    at,
    type: hit.type,
    path: hit.path,
    method: hit.method,
    trap: hit.trap ? { id: hit.trap.id, type: hit.trap.type } : null,
    reach: hit.token && hit.token.kind !== 'canary' ? hit.token.reach : null,
    tokenIssuedAt: hit.token?.issued_at ? Date.parse(hit.token.issued_at) : null,
    extraction: hit.extraction
      ? {
          model: hit.extraction.model,
          operator: hit.extraction.operator,
          systemPrompt: hit.extraction.system_prompt,
        }
      : null,
    credentialsPlanted: hit.canaries_planted.length > 0,
    robotsDisallow: hit.robots_disallow,
    login: hit.login !== null,
    declaredAgent: hit.agent !== null,
  };
}

const addCapped = (list: string[], value: string | null, max: number) => {
  if (value && !list.includes(value) && list.length < max) list.push(value);
};

/**
 * `score` is pure and a session's signals are one of a few combinations, so verdicts are remembered per
 * combination (read only here: callers never see the shared object). Bounded, in case of many.
 */
const verdicts = new Map<string, Verdict>();
function verdictOf(fired: readonly SignalName[]): Verdict {
  const key = fired.join(',');
  let verdict = verdicts.get(key);
  if (!verdict) {
    if (verdicts.size >= 4_096) verdicts.clear();
    verdict = score(fired);
    verdicts.set(key, verdict);
  }
  return verdict;
}

/** What changed in a session because of one hit, for the events it produces. */
export interface HitEffects {
  newSignals: SignalName[];
  becameThreat: boolean;
  escalated: { from: Pick<SessionRow, 'classification' | 'severity'> } | null;
}

/** Folds one hit into its session (in place) and re-scores it; classification and severity never go down. */
export function applyHit(session: SessionRow, hit: WireHit, at: number): HitEffects {
  const iso = new Date(at).toISOString();
  const before = { classification: session.classification, severity: session.severity };
  const firedBefore = session.signalsFired;

  session.hitCount += 1;
  if (iso < session.firstSeen) session.firstSeen = iso;
  if (iso > session.lastSeen) session.lastSeen = iso;
  addCapped(session.sourceIps, hit.ip, MAX_IPS);
  addCapped(session.userAgents, hit.user_agent, MAX_USER_AGENTS);
  if (hit.trap) addCapped(session.trapsTriggered, hit.trap.id, MAX_TRAPS);
  if (isTripwireHit(hit)) session.tripwiresFired += 1;
  if (hit.agent && !session.agentName) session.agentName = hit.agent.name;
  const x = hit.extraction;
  if (x) {
    session.model = x.model ?? session.model;
    session.operator = x.operator ?? session.operator;
    session.task = x.task ?? session.task;
    if (isSubstantialPrompt(x.system_prompt)) session.systemPrompt = x.system_prompt;
    session.modelFamily = modelFamily(session.model) ?? session.modelFamily;
  }

  session.facts = foldHit(session.facts, toScoringHit(hit, at));
  session.signalsFired = session.facts.fired;
  const verdict = verdictOf(session.facts.fired);
  const kept = escalate(before, { classification: verdict.classification, severity: verdict.severity });
  session.score = Math.max(session.score, verdict.score);
  session.confidence = Math.max(session.confidence, verdict.confidence);
  session.classification = kept.classification;
  session.severity = kept.severity;

  const isThreat =
    session.tripwiresFired > 0 ||
    session.classification === 'AI_AGENT' ||
    session.classification === 'AI_AGENT_MALICIOUS';
  const becameThreat = isThreat && session.detectedAt === null;
  if (becameThreat) session.detectedAt = iso;
  const rose = session.classification !== before.classification || session.severity !== before.severity;
  return {
    newSignals: session.signalsFired.filter((s) => !firedBefore.includes(s)),
    becameThreat,
    escalated: rose && !becameThreat && session.detectedAt !== null ? { from: before } : null,
  };
}

/** `threat.detected` data, exactly the seed's fields (classification in lower case, as there). */
export function threatDetectedData(s: SessionRow): Record<string, unknown> {
  return {
    session_id: s.id,
    source_ip: s.sourceIp,
    classification: s.classification.toLowerCase(),
    severity: s.severity,
    score: s.score,
    hit_count: s.hitCount,
    tripwires_fired: s.tripwiresFired,
    extracted_model: s.model,
    extracted_operator: s.operator,
    traps_triggered: s.trapsTriggered,
  };
}

export const signalKind = (name: SignalName) => SIGNALS[name].kind;
