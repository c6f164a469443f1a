import { describe, expect, it } from 'vitest';
import { createHoneyEngine, type HitRecord, type HoneyRequest } from '../src/index.js';
import { SECRET } from './helpers.js';

const A = { host: 'shop.example', 'user-agent': 'Mozilla/5.0 AgentA/1.0' };
const B = { host: 'shop.example', 'user-agent': 'python-requests/2.32.3' };

function setup() {
  const hits: HitRecord[] = [];
  const engine = createHoneyEngine({ secret: SECRET, onHit: (h) => hits.push(h) });
  const get = async (url: string, headers = A, remoteAddress = '203.0.113.7') => {
    const req: HoneyRequest = { method: 'GET', url, headers, remoteAddress };
    const v = await engine.handle(req);
    if (v.action !== 'respond') throw new Error(`${url} is no trap`);
    return v.body;
  };
  return { hits, get };
}

const pathOf = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');

describe('breadcrumbs between traps', () => {
  it('robots.txt Disallow lines, .env and llms.txt lead to other traps, each step with its own token', async () => {
    const { hits, get } = setup();
    const robots = await get('/robots.txt');
    const env = await get('/.env');
    const llms = await get('/llms.txt');
    const planter = hits[0]!.fingerprint;
    const crumbs = [
      ...[...robots.matchAll(/^Disallow: (\/\S+\?ref=\S+)$/gm)].map((m) => ['default:robots-txt', m[1]!]),
      ['default:dotenv', pathOf(/^INTERNAL_CONFIG_URL=(\S+)$/m.exec(env)![1]!)],
      ...[...llms.matchAll(/\]\((https?:\/\/[^)]+\?ref=[^)]+)\)/g)].map((m) => [
        'default:llms-txt',
        pathOf(m[1]!),
      ]),
    ];
    expect(crumbs.map(([, p]) => p!.split('?')[0])).toEqual([
      '/api/v1/users',
      '/admin/login',
      '/api/v1/config',
      '/api/v1/config',
      '/api/v1/users',
      '/admin/login',
    ]);
    const tokens = new Set(crumbs.map(([, p]) => p!.split('ref=')[1]));
    expect(tokens.size).toBe(crumbs.length);
    const before = hits.length;
    for (const [, path] of crumbs) await get(path!, B, '198.51.100.99');
    const steps = hits.slice(before);
    expect(steps.map((h) => [h.type, h.path])).toEqual(crumbs.map(([, p]) => ['trap_hit', p!.split('?')[0]]));
    for (const [i, h] of steps.entries()) {
      expect(h.token).toMatchObject({
        session: planter,
        kind: 'callback',
        channel: 'structural',
        trap: crumbs[i]![0],
      });
      expect(h.fingerprint).not.toBe(planter);
    }
  });
});
