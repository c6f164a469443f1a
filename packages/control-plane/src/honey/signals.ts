/**
 * The signal table of DESIGN §4.1. Points add up to the score (capped at 100); reliability is our estimate
 * of how rarely the signal fires for something that is not what it suggests, and drives confidence.
 */
export const SIGNALS = {
  CALLBACK_HIT: { kind: 'tripwire', points: 25, reliability: 0.6 },
  HIDDEN_CONTENT_ACTED_ON: { kind: 'tripwire', points: 20, reliability: 0.7 },
  INJECTION_FOLLOWED: { kind: 'tripwire', points: 30, reliability: 0.9 },
  SYSTEM_PROMPT_LEAKED: { kind: 'tripwire', points: 35, reliability: 0.95 },
  IDENTITY_EXTRACTED: { kind: 'tripwire', points: 15, reliability: 0.8 },
  CREDENTIAL_USED: { kind: 'tripwire', points: 40, reliability: 0.9 },
  CREDENTIAL_EXTRACTED: { kind: 'behavioral', points: 10, reliability: 0.3 },
  SYSTEMATIC_CRAWL: { kind: 'behavioral', points: 10, reliability: 0.4 },
  ROBOTS_FIRST: { kind: 'behavioral', points: 5, reliability: 0.2 },
  SEQUENTIAL_API_PROBE: { kind: 'behavioral', points: 10, reliability: 0.4 },
  ADMIN_LOGIN_ATTEMPT: { kind: 'behavioral', points: 10, reliability: 0.5 },
  TIMING_PATTERN: { kind: 'behavioral', points: 5, reliability: 0.3 },
  DECLARED_AI_AGENT: { kind: 'behavioral', points: 10, reliability: 0.5 },
  ROBOTS_VIOLATION: { kind: 'behavioral', points: 15, reliability: 0.5 },
} as const satisfies Record<string, { kind: 'tripwire' | 'behavioral'; points: number; reliability: number }>;

export type SignalName = keyof typeof SIGNALS;
export const SIGNAL_NAMES = Object.keys(SIGNALS) as SignalName[];

export const CLASSIFICATIONS = ['HUMAN', 'BOT', 'AI_AGENT', 'AI_AGENT_MALICIOUS'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
