import { randomUUID } from 'node:crypto';

const SITE = 'shop.example.com';

/** A valid wire hit (the middleware's contract); tests override what they exercise. */
export function wireHit(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    type: 'trap_hit',
    ts: new Date().toISOString(),
    site: SITE,
    method: 'GET',
    path: '/.env',
    query: null,
    status: 200,
    ip: '203.0.113.42',
    user_agent: 'curl/8.5.0',
    accept: '*/*',
    referer: null,
    fingerprint: 'fp-visitor-1',
    trap: { id: 'trap-env', name: '.env Trap', path: '/.env', type: 'file' },
    token: null,
    extraction: null,
    canary: null,
    canaries_planted: ['openai_key', 'aws_access_key'],
    robots_disallow: [],
    login: null,
    agent: null,
    is_bot: false,
    probe: null,
    ...over,
  };
}
