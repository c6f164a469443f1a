import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHoneyEngine, type HitRecord } from '../src/index.js';
import { eventually, type Receiver, startReceiver } from './helpers.js';

describe('trap sync', () => {
  let rx: Receiver;
  beforeEach(async () => {
    rx = await startReceiver();
    rx.config.body = {
      success: true,
      data: {
        traps: [
          {
            id: 'trap-1',
            name: 'robots.txt Trap',
            path: '/robots.txt',
            type: 'page',
            active: 1,
            injection_formats: 'html-comment,prose',
            created_at: '2026-03-20T10:00:00.000Z',
            org_id: 'org-1',
          },
          {
            id: 'trap-2',
            name: 'Backup',
            path: '/backup.zip',
            type: 'file',
            active: 1,
            injection_formats: 'html-comment',
          },
          { id: 'trap-3', name: 'Off', path: '/off', type: 'api', active: 0, injection_formats: '' },
          { id: 'trap-4', name: 'Broken', path: 'no-slash', type: 'page', active: 1 },
        ],
      },
    };
  });
  afterEach(() => rx.close());

  it('pulls the org trap list with the API key, honours ETag, keeps the last good list when down', async () => {
    const errors: Error[] = [];
    const hits: HitRecord[] = [];
    const engine = createHoneyEngine({
      apiKey: 'lh_site',
      endpoint: rx.url,
      onError: (e) => errors.push(e),
      onHit: (h) => hits.push(h),
    });
    await eventually(() => expect(engine.traps().map((t) => t.id)).toEqual(['trap-1', 'trap-2']));
    expect(rx.configRequests[0]).toEqual({ ifNoneMatch: undefined, auth: 'Bearer lh_site' });
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/skipped a synced trap: .*path/)]);
    expect(await engine.refreshTraps()).toBe(false); // 304
    expect(rx.configRequests.at(-1)?.ifNoneMatch).toBe('"v1"');
    rx.config.status = 503;
    expect(await engine.refreshTraps()).toBe(false);
    expect(engine.traps().map((t) => t.id)).toEqual(['trap-1', 'trap-2']);
    await rx.close();
    expect(await engine.refreshTraps()).toBe(false);
    expect(engine.traps().map((t) => t.path)).toEqual(['/robots.txt', '/backup.zip']);
    // A synced trap on a default path keeps its realistic renderer; hits carry the control plane's id.
    const verdict = await engine.handle({
      method: 'GET',
      url: '/robots.txt',
      headers: { host: 'shop.example' },
      remoteAddress: '203.0.113.5',
    });
    expect(verdict.action === 'respond' && verdict.body).toMatch(/User-agent: \*/);
    expect(hits[0]?.trap).toEqual({
      id: 'trap-1',
      name: 'robots.txt Trap',
      path: '/robots.txt',
      type: 'page',
    });
    await engine.close();
  });
});
