import { LIMITS } from '@lobster/honey-middleware';
import { describe, expect, it } from 'vitest';
import { validateHits } from '../src/honey/ingest.js';
import { readWireHit, wireHit as schema } from '../src/honey/ingest-schema.js';
import { ValidationFailed } from '../src/http/errors.js';
import { wireHit } from './fixtures.js';

/** Good hits of every shape the middleware sends, with optional fields present and left out. */
const GOOD: Record<string, unknown>[] = [
  wireHit(),
  wireHit({ trap: null, canaries_planted: [], type: 'probe', probe: { reason: 'scanner' } }),
  wireHit({
    type: 'callback',
    trap: null,
    token: {
      id: 'a1b2c3d4e5f60718',
      kind: 'callback',
      channel: 'html-comment',
      reach: 'text',
      session: 'fp-visitor-1',
      trap: 'trap-env',
      trap_ref: 'abc123',
      issued_at: '2026-03-20T10:00:00.000Z',
    },
  }),
  wireHit({
    type: 'extraction',
    extraction: {
      model: 'gpt-4o',
      operator: 'acme',
      task: 'crawl',
      system_prompt: 'You are a helpful agent',
      truncated: true,
    },
    agent: { name: 'GPTBot', operator: 'OpenAI', purpose: 'training', function: 'crawl' },
  }),
  wireHit({
    type: 'credential_use',
    canary: { kind: 'openai_key', carrier: 'x-api-key' },
    login: { username: 'admin' },
  }),
  wireHit({ robots_disallow: ['/admin', '/private'], is_bot: true, ts: '2026-03-20T10:00:00+02:00' }),
];

/** The same hits without the fields that have defaults (zod fills them in). */
const DEFAULTED = ['query', 'user_agent', 'accept', 'referer', 'trap', 'token', 'extraction', 'canary'];
DEFAULTED.push('canaries_planted', 'robots_disallow', 'login', 'agent', 'is_bot', 'probe');
for (const base of GOOD.slice(0, 3)) {
  const bare = { ...base };
  for (const key of DEFAULTED) delete bare[key];
  GOOD.push(bare);
}

const BAD_VALUES: unknown[] = [
  undefined,
  null,
  0,
  1.5,
  true,
  false,
  '',
  'x',
  'not-a-uuid',
  '2026-13-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-03-20T10:00:00',
  'a'.repeat(16),
  'a'.repeat(17),
  'a'.repeat(32),
  'a'.repeat(33),
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(128),
  'a'.repeat(129),
  'a'.repeat(LIMITS.path),
  'a'.repeat(LIMITS.path + 1),
  [],
  ['openai_key'],
  ['nope'],
  Array(17).fill('openai_key'),
  [1],
  {},
  { extra: 1 },
  99,
  600,
  100,
  599,
  200.5,
];

/** Every hit with one field (at any depth) replaced by each of the values above, or an unknown key added. */
function* variants(): Generator<unknown> {
  for (const good of GOOD) {
    yield good;
    yield { ...good, color: 'red' };
    for (const key of Object.keys(schema.shape)) {
      for (const bad of BAD_VALUES) yield { ...good, [key]: bad };
      const inner = good[key];
      if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
        yield { ...good, [key]: { ...inner, color: 'red' } };
        for (const field of Object.keys(inner)) {
          for (const bad of BAD_VALUES) yield { ...good, [key]: { ...inner, [field]: bad } };
          const { [field]: _gone, ...without } = inner as Record<string, unknown>;
          yield { ...good, [key]: without };
        }
      }
    }
  }
  yield null;
  yield [];
  yield 'hit';
  yield Object.create({ inherited: 1 });
}

describe('the hand-written wire hit check', () => {
  it('accepts exactly what zod accepts, with the same output, or leaves the hit to zod', () => {
    let accepted = 0;
    let cases = 0;
    for (const value of variants()) {
      cases++;
      const fast = readWireHit(value);
      const zod = schema.safeParse(value);
      if (fast === null) continue;
      accepted++;
      expect(zod.success, JSON.stringify(value)).toBe(true);
      // Same fields, same values, same order (the stored record is this object as JSON).
      expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
      expect(fast).toEqual(zod.data);
    }
    expect(cases).toBeGreaterThan(5_000);
    // And it is not just saying "ask zod": every good hit, and most of what zod accepts, pass here.
    for (const good of GOOD) expect(readWireHit(good)).not.toBeNull();
    expect(accepted).toBeGreaterThan(500);
  });
});

describe('hostile hits', () => {
  const good = wireHit() as Record<string, unknown>;
  const json = JSON.stringify(good);
  /** As they arrive: parsed from JSON text, own `__proto__` keys and all. */
  const parsed: string[] = [
    json.replace('{', '{"__proto__":{"is_bot":true},'),
    json.replace('{', '{"constructor":{"prototype":{}},'),
    json.replace('"trap":{', '"trap":{"__proto__":{"x":1},'),
    json.replace('"canaries_planted":[', '"canaries_planted":["__proto__",'),
    json.replace('"status":200', '"status":1e400'),
    json.replace('"status":200', '"status":-1e400'),
    json.replace('"status":200', '"status":"200"'),
    json.replace('"status":200', '"status":200.0000000000001'),
    json.replace(/"ts":"[^"]+"/, '"ts":1774000800000'),
    json.replace(/"ts":"[^"]+"/, '"ts":"NaN"'),
    json.replace(/"ts":"[^"]+"/, '"ts":"2026-03-20T10:00:60Z"'),
    json.replace(/"ts":"[^"]+"/, '"ts":"2026-03-20T10:00:00+2400"'),
    json.replace(/"path":"[^"]+"/, `"path":"${'a'.repeat(1_000_000)}"`),
    json.replace(/"id":"[^"]+"/, `"id":"${'a'.repeat(1_000_000)}"`),
  ];
  /** And as an in-process caller (the beacon) could hand them over. */
  const objects: unknown[] = [
    { ...good, status: Number.NaN },
    { ...good, status: Number.POSITIVE_INFINITY },
    { ...good, ts: new Date() },
    { ...good, ts: 'Invalid Date' },
    { ...good, canaries_planted: Object.assign(['openai_key'], { extra: 1 }) },
    Object.assign(Object.create({ polluted: true }), good),
    new Map(Object.entries(good)),
  ];

  it('are refused by both checks alike, never accepted by the fast one alone', () => {
    for (const value of [...parsed.map((t) => JSON.parse(t) as unknown), ...objects]) {
      const zod = schema.safeParse(value);
      const fast = readWireHit(value);
      if (fast !== null) {
        expect(zod.success).toBe(true);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
      }
      // Whatever zod refuses, the fast check refuses too (the last three objects are zod's to judge).
      if (!zod.success) expect(fast).toBeNull();
    }
    // Ingest answers each with a 400 naming the hit, not a 500.
    for (const value of [...parsed.map((t) => JSON.parse(t) as unknown), ...objects.slice(0, 4)]) {
      expect(() => validateHits('shop.example.com', [value], Date.now())).toThrow(ValidationFailed);
    }
    // The fast check never lets a prototype key change the hit it returns.
    expect(readWireHit(JSON.parse(parsed[0]!))).toBeNull();
    expect(({} as Record<string, unknown>).is_bot).toBeUndefined();
  });
});
