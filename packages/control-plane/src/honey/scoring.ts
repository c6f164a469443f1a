import {
  CLASSIFICATIONS,
  type Classification,
  SEVERITIES,
  type Severity,
  SIGNALS,
  type SignalName,
} from './signals.js';

export interface SignalContribution {
  signal: SignalName;
  kind: 'tripwire' | 'behavioral';
  points: number;
  /** This signal's share of the confidence, in percentage points (the shares add up to `confidence`). */
  confidence_share: number;
}

export interface Verdict {
  score: number;
  confidence: number;
  classification: Classification;
  severity: Severity;
  signals: SignalContribution[];
}

const AI_EVIDENCE: SignalName[] = ['INJECTION_FOLLOWED', 'SYSTEM_PROMPT_LEAKED', 'IDENTITY_EXTRACTED'];
const MALICE: SignalName[] = ['CREDENTIAL_USED', 'ADMIN_LOGIN_ATTEMPT', 'ROBOTS_VIOLATION'];

/**
 * Scores a set of fired signals (DESIGN §4.1). Pure: the same signals always give the same verdict.
 * Without AI evidence a session never goes above BOT, however high its score.
 */
export function score(fired: readonly SignalName[]): Verdict {
  const names = SIGNAL_ORDER.filter((name) => fired.includes(name));
  const has = (name: SignalName) => names.includes(name);
  const tripwires = names.filter((n) => SIGNALS[n].kind === 'tripwire');
  const total = Math.min(
    100,
    names.reduce((sum, n) => sum + SIGNALS[n].points, 0),
  );

  const aiEvidence = AI_EVIDENCE.some(has) || (has('DECLARED_AI_AGENT') && tripwires.length > 0);
  let classification: Classification;
  if (aiEvidence) classification = MALICE.some(has) || total >= 60 ? 'AI_AGENT_MALICIOUS' : 'AI_AGENT';
  else if (tripwires.length === 0 && total <= 10) classification = 'HUMAN';
  else classification = 'BOT';

  let severity: Severity = 'low';
  if (tripwires.length >= 2 && (has('CREDENTIAL_USED') || has('SYSTEM_PROMPT_LEAKED'))) severity = 'critical';
  else if (tripwires.length > 0) severity = 'high';
  else if (names.length > 0) severity = 'medium';

  // Confidence = 1 − Π(1 − rᵢ); each signal's share is proportional to its −ln(1 − rᵢ), the amount it
  // multiplies the doubt down by, so the shares add up exactly to the confidence.
  const weights = names.map((n) => -Math.log(1 - SIGNALS[n].reliability));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const confidence = (1 - Math.exp(-weightSum)) * 100;
  return {
    score: total,
    confidence: Math.round(confidence),
    classification,
    severity,
    signals: names.map((n, i) => ({
      signal: n,
      kind: SIGNALS[n].kind,
      points: SIGNALS[n].points,
      confidence_share: weightSum ? Math.round(((confidence * weights[i]!) / weightSum) * 10) / 10 : 0,
    })),
  };
}

const SIGNAL_ORDER = Object.keys(SIGNALS) as SignalName[];

/** Classification and severity only ever go up: keep the higher of what was and what is. */
export function escalate<T extends { classification: Classification; severity: Severity }>(
  before: T,
  after: T,
): T {
  return {
    ...after,
    classification:
      CLASSIFICATIONS.indexOf(after.classification) >= CLASSIFICATIONS.indexOf(before.classification)
        ? after.classification
        : before.classification,
    severity:
      SEVERITIES.indexOf(after.severity) >= SEVERITIES.indexOf(before.severity)
        ? after.severity
        : before.severity,
  };
}
