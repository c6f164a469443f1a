import { describe, expect, it } from 'vitest';
import { lobsterHoney as expressHoney } from '../src/adapters/express.js';
import { lobsterHoney as fastifyHoney } from '../src/adapters/fastify.js';
import { lobsterHoney as koaHoney } from '../src/adapters/koa.js';
import { createHoneyEngine, HoneyConfigError, isHoneyConfigError, isHoneyError } from '../src/index.js';

const bad: [unknown, string][] = [
  [{ apiKy: 'lh_x' }, 'apiKy'],
  [{ apiKey: '' }, 'apiKey'],
  [{ endpoint: 'ftp://x' }, 'endpoint'],
  [{ secret: 'short' }, 'secret'],
  [{ mode: 'block' }, 'mode'],
  [{ mode: { type: 'enforce', status: 99 } }, 'mode.status'],
  [{ precedence: 'first' }, 'precedence'],
  [{ trustProxy: 'yes' }, 'trustProxy'],
  [{ callbackPrefix: 'cb' }, 'callbackPrefix'],
  [{ callbackPrefix: '/cb/' }, 'callbackPrefix'],
  [{ basePath: '/s/acme/' }, 'basePath'],
  [{ onHit: 'log' }, 'onHit'],
  [{ syncTraps: true }, 'syncTraps'],
  [{ traps: { add: [{ path: 'env', type: 'file' }] } }, 'traps.add[0].path'],
  [{ traps: { add: [{ path: '/a/../b', type: 'file' }] } }, 'traps.add[0].path'],
  [{ traps: { add: [{ path: '/a?b', type: 'file' }] } }, 'traps.add[0].path'],
  [{ traps: [{ path: '/x', type: 'secret' }] }, 'traps.add[0].type'],
  [
    { traps: [{ path: '/x', type: 'file', injection_formats: 'html-comment,smoke-signal' }] },
    'traps.add[0].injection_formats[1]',
  ],
  [
    {
      traps: [
        { path: '/x', type: 'file' },
        { path: '/x', type: 'api' },
      ],
    },
    'traps.add[1].path',
  ],
  [{ traps: { remove: [] } }, 'traps.remove'],
  [{ reporter: { batchSize: 5000 } }, 'reporter.batchSize'],
  [{ reporter: { batchSize: 10, maxQueue: 10 } }, 'reporter.maxQueue'],
  [{ reporter: { fetch: 1 } }, 'reporter.fetch'],
  [{ reporter: { flush: 1 } }, 'reporter.flush'],
  [{ tripwires: 'yes' }, 'tripwires'],
  [{ tripwires: { include: ['/a'], only: 1 } }, 'tripwires.only'],
  [{ tripwires: { enabled: 1 } }, 'tripwires.enabled'],
  [{ tripwires: { include: '/a' } }, 'tripwires.include'],
  [{ tripwires: { exclude: ['/ok', 'nope'] } }, 'tripwires.exclude[1]'],
  [{ tripwires: { sampleRate: 1.5 } }, 'tripwires.sampleRate'],
  [{ tripwires: { sampleRate: Number.NaN } }, 'tripwires.sampleRate'],
  [{ tripwires: { maxBytes: -1 } }, 'tripwires.maxBytes'],
];

describe('options', () => {
  it.each(bad)('rejects %j naming %s', (options, option) => {
    let error: unknown;
    try {
      createHoneyEngine(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HoneyConfigError);
    expect(isHoneyConfigError(error) && isHoneyError(error)).toBe(true);
    expect((error as HoneyConfigError).option).toBe(option);
    expect((error as Error).message).toContain(option);
    expect((error as HoneyConfigError).code).toBe('HONEY_CONFIG_INVALID');
  });

  it('validates in every adapter factory, before any request', () => {
    for (const factory of [expressHoney, koaHoney, fastifyHoney]) {
      expect(() => factory({ nope: 1 } as never)).toThrow(/option nope/);
    }
  });

  it('needs no option at all, and never mutates the caller object', () => {
    const options = Object.freeze({
      secret: 'a-long-enough-secret!',
      traps: Object.freeze({ disable: Object.freeze(['/.env']) }),
    });
    const engine = createHoneyEngine(options);
    expect(engine.traps().map((t) => t.path)).not.toContain('/.env');
    expect(createHoneyEngine().traps()).toHaveLength(11);
  });

  it('adds, replaces and disables traps', () => {
    const engine = createHoneyEngine({
      secret: 'a-long-enough-secret!',
      traps: {
        disable: ['/wp-config.php', 'default:graphql', 'dotenv'],
        add: [
          { path: '/backup.sql', type: 'file', name: 'SQL dump' },
          {
            path: '/robots.txt',
            type: 'page',
            render: () => ({ status: 200, contentType: 'text/plain', body: 'custom' }),
          },
          { path: '/old', type: 'api', active: 0 },
        ],
      },
    });
    const paths = engine.traps().map((t) => t.path);
    expect(paths).toContain('/backup.sql');
    expect(paths).not.toContain('/wp-config.php');
    expect(paths).not.toContain('/graphql');
    expect(paths).not.toContain('/.env');
    expect(paths).not.toContain('/old');
    expect(
      createHoneyEngine({ secret: 'a-long-enough-secret!', traps: { defaults: false } }).traps(),
    ).toEqual([]);
  });

  it('derives a stable callback prefix from the secret, and honours a configured one', () => {
    const a = createHoneyEngine({ secret: 'a-long-enough-secret!' }).callbackPrefix;
    expect(createHoneyEngine({ secret: 'a-long-enough-secret!' }).callbackPrefix).toBe(a);
    expect(createHoneyEngine({ secret: 'another-long-secret!!' }).callbackPrefix).not.toBe(a);
    expect(a).toMatch(/^\/[a-z]+\/[a-z]\/[0-9a-f]{8}$/);
    expect(createHoneyEngine({ apiKey: 'lh_abc', syncTraps: false }).callbackPrefix).toBe(
      createHoneyEngine({ apiKey: 'lh_abc', syncTraps: false }).callbackPrefix,
    );
    expect(createHoneyEngine({ callbackPrefix: '/api/callback' }).callbackPrefix).toBe('/api/callback');
  });
});
