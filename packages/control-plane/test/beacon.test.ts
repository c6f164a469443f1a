import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, dropTestDatabases, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

/** Polls until `check` passes: beacon hits are written in the background, a fraction of a second later. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 3_000): Promise<T> {
  const until = Date.now() + ms;
  let value = await read();
  while (!check(value) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

describe.each(targets)('beacon mode on $name', (target) => {
  let server: TestServer;
  let slug: string;

  beforeEach(async () => {
    server = await startServer({ databaseUrl: target.freshUrl(), secret: 'beacon-test-secret-0123456789' });
    slug = (await server.app.db.manager.query('SELECT slug FROM orgs WHERE id = $1', [server.orgId]))[0].slug;
  });
  afterEach(() => server.close());

  const sessions = () => call(`${server.url}/dashboard/api/sessions`, { key: server.adminKey });

  it("serves the org's traps under /s/:org with the middleware's own content", async () => {
    const robots = await fetch(`${server.url}/s/${slug}/robots.txt`);
    expect(robots.status).toBe(200);
    expect(robots.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await robots.text();
    expect(text).toMatch(/^User-agent: /m);
    expect(text).toMatch(/^Disallow: \//m);
    const env = await (await fetch(`${server.url}/s/${slug}/.env`)).text();
    expect(env).toMatch(/^[A-Z_]+=/m);
    expect((await fetch(`${server.url}/s/${slug}/not-a-trap`)).status).toBe(404);
    expect((await fetch(`${server.url}/s/no-such-org/robots.txt`)).status).toBe(404);

    const listed = await eventually(sessions, (r) => r.body.data[0]?.hit_count >= 2);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).toMatchObject({ hit_count: 2, classification: 'HUMAN' });
  });

  it('records a followed callback and a used canary against the session that received them', async () => {
    const env = await (
      await fetch(`${server.url}/s/${slug}/.env`, { headers: { 'User-Agent': 'scanner/1.0' } })
    ).text();
    const callback = new RegExp(`/api/callback/${slug}/[A-Za-z0-9_-]+`).exec(env)?.[0];
    expect(callback, env).toBeDefined();
    const followed = await fetch(`${server.url}${callback}`, {
      headers: { 'User-Agent': 'other-client/2.0' },
    });
    expect(followed.status).toBeLessThan(500);
    const openai = /sk-[A-Za-z0-9_-]{20,}/.exec(env)?.[0];
    expect(openai, env).toBeDefined();
    const used = await fetch(`${server.url}/s/${slug}/api/v1/users`, {
      headers: { Authorization: `Bearer ${openai}`, 'User-Agent': 'scanner/1.0' },
    });
    expect(used.status).toBe(200);

    const listed = await eventually(sessions, (r) => r.body.data[0]?.hit_count >= 4);
    expect(listed.body.data).toHaveLength(1);
    const s = listed.body.data[0];
    expect(s.signals_fired).toEqual(
      expect.arrayContaining(['CALLBACK_HIT', 'CREDENTIAL_EXTRACTED', 'CREDENTIAL_USED']),
    );
    // Two tripwires including a used credential, but no AI evidence: a critical BOT.
    expect(s).toMatchObject({ severity: 'critical', classification: 'BOT' });
    const detail = await call(`${server.url}/dashboard/api/sessions/${s.id}`, { key: server.adminKey });
    expect(detail.body.data.hits.map((h: { type: string }) => h.type)).toEqual([
      'trap_hit',
      'callback',
      'trap_hit',
      'credential_use',
    ]);
    expect(detail.body.data.user_agents).toEqual(expect.arrayContaining(['scanner/1.0', 'other-client/2.0']));
  });

  it('a forged callback is a probe, not a tripwire', async () => {
    await fetch(`${server.url}/api/callback/${slug}/${'A'.repeat(36)}`);
    const listed = await eventually(sessions, (r) => r.body.data.length > 0);
    expect(listed.body.data[0].signals_fired).toEqual([]);
    const detail = await call(`${server.url}/dashboard/api/sessions/${listed.body.data[0].id}`, {
      key: server.adminKey,
    });
    expect(detail.body.data.hits[0]).toMatchObject({ type: 'probe' });
  });
});
