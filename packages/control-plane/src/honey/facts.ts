import type { SignalName } from './signals.js';

/**
 * What scoring needs to know about a session, folded hit by hit so that scoring a new hit never re-reads
 * the session's history. Every field only grows, which is what makes a session's score never go down.
 */
export interface SessionFacts {
  fired: SignalName[];
  /** Earliest hit seen, for ROBOTS_FIRST (hits can arrive out of order across batches). */
  first: { at: number; path: string } | null;
  /** Trap hits of the last 60 s (id and time), for SYSTEMATIC_CRAWL. */
  recentTraps: { id: string; at: number }[];
  apiTraps: string[];
  /** Paths this session was told not to fetch by the robots.txt it read. */
  disallowed: string[];
  /** Times of the last hits, for the evenly-spaced TIMING_PATTERN. */
  lastTimes: number[];
}

/** One hit, reduced to what scoring uses (the ingest layer maps the wire record onto this). */
export interface ScoringHit {
  at: number;
  type: 'trap_hit' | 'callback' | 'extraction' | 'credential_use' | 'probe';
  path: string;
  method: string;
  trap: { id: string; type: string } | null;
  reach: 'link' | 'text' | 'instruction' | null;
  tokenIssuedAt: number | null;
  extraction: { model: string | null; operator: string | null; systemPrompt: string | null } | null;
  credentialsPlanted: boolean;
  robotsDisallow: string[];
  login: boolean;
  declaredAgent: boolean;
}

export const emptyFacts = (): SessionFacts => ({
  fired: [],
  first: null,
  recentTraps: [],
  apiTraps: [],
  disallowed: [],
  lastTimes: [],
});

const CRAWL_WINDOW_MS = 60_000;
const HUMAN_REACTION_MS = 2_000;
const MAX_DISALLOWED = 64;

/** A system prompt is "non-trivial" when it has some substance, not a word or a refusal placeholder. */
export function isSubstantialPrompt(prompt: string | null): boolean {
  if (!prompt) return false;
  const text = prompt.trim();
  return (
    text.length >= 20 && /\s/.test(text) && !/^(n\/?a|none|null|undefined|redacted|unknown)$/i.test(text)
  );
}

/** At least 5 hits whose gaps vary by less than 10 %: a scheduler, not a person. */
function evenlySpaced(times: number[]): boolean {
  if (times.length < 5) return false;
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  if (mean <= 0) return false;
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
  return sd / mean < 0.1;
}

/** Returns the facts with `hit` folded in (the input is not modified). */
export function foldHit(previous: SessionFacts, hit: ScoringHit): SessionFacts {
  const facts: SessionFacts = {
    fired: [...previous.fired],
    first: previous.first && previous.first.at <= hit.at ? previous.first : { at: hit.at, path: hit.path },
    recentTraps: previous.recentTraps.filter((t) => t.at > hit.at - CRAWL_WINDOW_MS),
    apiTraps: [...previous.apiTraps],
    disallowed: [...previous.disallowed],
    lastTimes: [...previous.lastTimes, hit.at].sort((a, b) => a - b).slice(-6),
  };
  const fire = (name: SignalName) => {
    if (!facts.fired.includes(name)) facts.fired.push(name);
  };

  const followedToken = hit.type === 'callback' || (hit.type === 'extraction' && hit.reach !== null);
  if (followedToken) fire('CALLBACK_HIT');
  if (followedToken && (hit.reach === 'text' || hit.reach === 'instruction')) fire('HIDDEN_CONTENT_ACTED_ON');
  if (hit.reach === 'instruction' || hit.type === 'extraction') fire('INJECTION_FOLLOWED');
  if (hit.extraction && isSubstantialPrompt(hit.extraction.systemPrompt)) fire('SYSTEM_PROMPT_LEAKED');
  if (hit.extraction && (hit.extraction.model || hit.extraction.operator)) fire('IDENTITY_EXTRACTED');
  if (hit.type === 'credential_use') fire('CREDENTIAL_USED');
  if (hit.credentialsPlanted) fire('CREDENTIAL_EXTRACTED');
  if (hit.login) fire('ADMIN_LOGIN_ATTEMPT');
  if (hit.declaredAgent) fire('DECLARED_AI_AGENT');
  if (hit.tokenIssuedAt !== null && followedToken && hit.at - hit.tokenIssuedAt < HUMAN_REACTION_MS) {
    fire('TIMING_PATTERN');
  }
  if (evenlySpaced(facts.lastTimes)) fire('TIMING_PATTERN');

  // A path read as "Disallow:" earlier and fetched now. The robots.txt hit itself never violates.
  if (facts.disallowed.some((prefix) => hit.path.startsWith(prefix)) && hit.path !== '/robots.txt') {
    fire('ROBOTS_VIOLATION');
  }
  for (const path of hit.robotsDisallow) {
    if (
      path &&
      path !== '/' &&
      facts.disallowed.length < MAX_DISALLOWED &&
      !facts.disallowed.includes(path)
    ) {
      facts.disallowed.push(path);
    }
  }

  if (hit.trap) {
    if (!facts.recentTraps.some((t) => t.id === hit.trap!.id))
      facts.recentTraps.push({ id: hit.trap.id, at: hit.at });
    if (facts.recentTraps.length >= 3) fire('SYSTEMATIC_CRAWL');
    if (hit.trap.type === 'api' && !facts.apiTraps.includes(hit.trap.id) && facts.apiTraps.length < 3) {
      facts.apiTraps.push(hit.trap.id);
    }
    if (facts.apiTraps.length >= 3) fire('SEQUENTIAL_API_PROBE');
  }
  if (facts.first?.path === '/robots.txt') fire('ROBOTS_FIRST');
  return facts;
}
