import { describe, expect, it } from 'vitest';
import * as express from '../src/adapters/express.js';
import * as fastify from '../src/adapters/fastify.js';
import * as koa from '../src/adapters/koa.js';
import * as node from '../src/adapters/node.js';
import * as root from '../src/index.js';
import { uuidv7, uuidv7Time } from '../src/uuid.js';

describe('public surface', () => {
  it('pins the exports of every entry point', () => {
    expect(Object.keys(root).sort()).toEqual(
      [
        'BODY_LIMIT',
        'CANARY_KINDS',
        'DEFAULT_TRAP_SET',
        'HoneyConfigError',
        'HoneyError',
        'HoneyReportError',
        'INJECTION_FORMATS',
        'KNOWN_AGENT_COUNT',
        'LIMITS',
        'MAX_BATCH_BYTES',
        'TOKEN_CHANNELS',
        'TOKEN_KINDS',
        'TOKEN_REACHES',
        'TRAP_TYPES',
        'VERSION',
        'createHoneyEngine',
        'isBotUserAgent',
        'isHoneyConfigError',
        'isHoneyError',
        'matchAgent',
        'readLimited',
        'uuidv7',
      ].sort(),
    );
    for (const adapter of [express, koa, fastify]) expect(Object.keys(adapter)).toEqual(['lobsterHoney']);
    expect(Object.keys(node)).toEqual(['withLobsterHoney']);
  });

  it('describes the default trap set in the control plane field names', () => {
    expect(root.DEFAULT_TRAP_SET.map((t) => [t.path, t.type])).toEqual([
      ['/robots.txt', 'page'],
      ['/sitemap.xml', 'page'],
      ['/llms.txt', 'page'],
      ['/.env', 'file'],
      ['/.git/config', 'file'],
      ['/wp-config.php', 'file'],
      ['/api/v1/config', 'config'],
      ['/docker-compose.yml', 'config'],
      ['/api/v1/users', 'api'],
      ['/graphql', 'api'],
      ['/admin/login', 'api'],
    ]);
  });

  it('makes UUIDv7 ids: version 7, RFC variant, time-ordered', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.abs(uuidv7Time(ids[0]!) - Date.now())).toBeLessThan(60_000);
  });
});
