import { describe, expect, it } from 'vitest';
import { emptyFacts, foldHit, isSubstantialPrompt, type ScoringHit } from '../src/honey/facts.js';
import { escalate, score, type Verdict } from '../src/honey/scoring.js';

const T0 = Date.parse('2026-03-20T10:15:00.000Z');
const hit = (over: Partial<ScoringHit>): ScoringHit => ({
  at: T0,
  type: 'trap_hit',
  path: '/',
  method: 'GET',
  trap: null,
  reach: null,
  tokenIssuedAt: null,
  extraction: null,
  credentialsPlanted: false,
  robotsDisallow: [],
  login: false,
  declaredAgent: false,
  ...over,
});
const fold = (hits: ScoringHit[]) => hits.reduce(foldHit, emptyFacts());
const trap = (id: string, type = 'file') => ({ id, type });

describe('scoring', () => {
  it('a person who opens robots.txt is HUMAN', () => {
    const facts = fold([
      hit({ path: '/robots.txt', trap: trap('robots', 'page'), robotsDisallow: ['/admin-backup/'] }),
    ]);
    expect(facts.fired).toEqual(['ROBOTS_FIRST']);
    expect(score(facts.fired)).toMatchObject({ classification: 'HUMAN', severity: 'medium', score: 5 });
  });

  it('with no signal at all a session is HUMAN with low severity and zero confidence', () => {
    expect(score([])).toEqual({
      score: 0,
      confidence: 0,
      classification: 'HUMAN',
      severity: 'low',
      signals: [],
    });
  });

  it('a link-following crawler is a BOT, however many traps it fetches', () => {
    const facts = fold([
      hit({ path: '/robots.txt', trap: trap('robots', 'page') }),
      hit({ at: T0 + 1_000, path: '/sitemap.xml', trap: trap('sitemap', 'page') }),
      hit({ at: T0 + 2_000, path: '/cb/x', type: 'callback', reach: 'link', tokenIssuedAt: T0 + 1_500 }),
      hit({ at: T0 + 3_000, path: '/.env', trap: trap('env'), credentialsPlanted: true }),
      hit({ at: T0 + 4_000, path: '/api/v1/users', trap: trap('users', 'api') }),
    ]);
    expect(facts.fired.sort()).toEqual(
      ['CALLBACK_HIT', 'CREDENTIAL_EXTRACTED', 'ROBOTS_FIRST', 'SYSTEMATIC_CRAWL', 'TIMING_PATTERN'].sort(),
    );
    const verdict = score(facts.fired);
    expect(verdict.classification).toBe('BOT');
    expect(verdict.severity).toBe('high');
  });

  it('a scanner that tries a canary key is a BOT with severity high', () => {
    const facts = fold([
      hit({ path: '/.env', trap: trap('env'), credentialsPlanted: true }),
      hit({ at: T0 + 60_000, path: '/api/v1/users', type: 'credential_use', trap: trap('users', 'api') }),
    ]);
    expect(score(facts.fired)).toMatchObject({ classification: 'BOT', severity: 'high', score: 50 });
  });

  it('an agent that obeys, leaks its prompt and uses a canary is AI_AGENT_MALICIOUS and critical', () => {
    const facts = fold([
      hit({ path: '/.env', trap: trap('env'), credentialsPlanted: true }),
      hit({ at: T0 + 5_000, type: 'callback', path: '/cb/i', reach: 'instruction', tokenIssuedAt: T0 }),
      hit({
        at: T0 + 9_000,
        type: 'extraction',
        path: '/cb/x',
        reach: 'instruction',
        tokenIssuedAt: T0,
        extraction: {
          model: 'gpt-4o',
          operator: 'SomeCompany',
          systemPrompt: 'You are a helpful shopping assistant.',
        },
      }),
      hit({ at: T0 + 20_000, type: 'credential_use', path: '/api/v1/users', trap: trap('users', 'api') }),
    ]);
    const verdict = score(facts.fired);
    expect(verdict).toMatchObject({ classification: 'AI_AGENT_MALICIOUS', severity: 'critical', score: 100 });
    expect(verdict.signals.map((s) => s.signal)).toEqual([
      'CALLBACK_HIT',
      'HIDDEN_CONTENT_ACTED_ON',
      'INJECTION_FOLLOWED',
      'SYSTEM_PROMPT_LEAKED',
      'IDENTITY_EXTRACTED',
      'CREDENTIAL_USED',
      'CREDENTIAL_EXTRACTED',
    ]);
    const shares = verdict.signals.reduce((sum, s) => sum + s.confidence_share, 0);
    expect(Math.abs(shares - verdict.confidence)).toBeLessThan(0.5);
    expect(verdict.confidence).toBe(100);
  });

  it('AI evidence below the malice bar is AI_AGENT', () => {
    const verdict = score(['IDENTITY_EXTRACTED', 'INJECTION_FOLLOWED']);
    expect(verdict).toMatchObject({ classification: 'AI_AGENT', severity: 'high', score: 45 });
    expect(verdict.confidence).toBe(98);
  });

  it('a declared AI agent counts as AI only once it fires a tripwire', () => {
    expect(score(['DECLARED_AI_AGENT', 'ROBOTS_FIRST']).classification).toBe('BOT');
    expect(score(['DECLARED_AI_AGENT', 'CALLBACK_HIT']).classification).toBe('AI_AGENT');
    expect(score(['DECLARED_AI_AGENT', 'CALLBACK_HIT', 'ROBOTS_VIOLATION']).classification).toBe(
      'AI_AGENT_MALICIOUS',
    );
  });

  it('detects robots.txt violations only for paths the session was told about', () => {
    const facts = fold([
      hit({ path: '/robots.txt', trap: trap('robots', 'page'), robotsDisallow: ['/internal/backup/'] }),
      hit({ at: T0 + 1_000, path: '/public/page' }),
    ]);
    expect(facts.fired).not.toContain('ROBOTS_VIOLATION');
    expect(foldHit(facts, hit({ at: T0 + 2_000, path: '/internal/backup/db.sql' })).fired).toContain(
      'ROBOTS_VIOLATION',
    );
  });

  it('ROBOTS_FIRST follows the earliest hit even when hits arrive out of order', () => {
    const facts = fold([
      hit({ at: T0 + 5_000, path: '/.env', trap: trap('env') }),
      hit({ path: '/robots.txt' }),
    ]);
    expect(facts.fired).toContain('ROBOTS_FIRST');
    const notFirst = fold([
      hit({ path: '/.env', trap: trap('env') }),
      hit({ at: T0 + 5_000, path: '/robots.txt' }),
    ]);
    expect(notFirst.fired).not.toContain('ROBOTS_FIRST');
  });

  it('SYSTEMATIC_CRAWL needs 3 distinct traps within 60 s; SEQUENTIAL_API_PROBE 3 distinct api traps', () => {
    const slow = fold([0, 61_000, 122_000].map((d, i) => hit({ at: T0 + d, trap: trap(`t${i}`, 'api') })));
    expect(slow.fired).toEqual(['SEQUENTIAL_API_PROBE']);
    const fast = fold([0, 1_000, 1_000].map((d, i) => hit({ at: T0 + d, trap: trap(`t${i % 2}`) })));
    expect(fast.fired).toEqual([]);
  });

  it('TIMING_PATTERN fires for evenly spaced requests, not for a person', () => {
    const robot = fold([0, 1, 2, 3, 4].map((i) => hit({ at: T0 + i * 3_000 })));
    expect(robot.fired).toEqual(['TIMING_PATTERN']);
    const person = fold([0, 2_000, 9_000, 11_000, 30_000].map((d) => hit({ at: T0 + d })));
    expect(person.fired).toEqual([]);
  });

  it('a trivial system prompt is not a leak', () => {
    for (const p of ['', 'none', 'N/A', 'hello', '   redacted  ']) expect(isSubstantialPrompt(p)).toBe(false);
    expect(isSubstantialPrompt('You are Claude, an AI assistant made by Anthropic.')).toBe(true);
  });

  it('never de-escalates', () => {
    const before: Pick<Verdict, 'classification' | 'severity' | 'score'> = {
      classification: 'AI_AGENT',
      severity: 'critical',
      score: 80,
    };
    const after = escalate(before, { classification: 'BOT', severity: 'high', score: 85 });
    expect(after).toEqual({ classification: 'AI_AGENT', severity: 'critical', score: 85 });
  });

  it('folding does not modify the previous facts', () => {
    const facts = fold([hit({ path: '/robots.txt' })]);
    const copy = structuredClone(facts);
    foldHit(facts, hit({ at: T0 + 1, type: 'credential_use' }));
    expect(facts).toEqual(copy);
  });
});
