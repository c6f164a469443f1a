import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrgWithAdminKey } from '../src/orgs/bootstrap.js';
import { wireHit } from './fixtures.js';
import { call, dropTestDatabases, newKey, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

const SITE = 'shop.example.com';

describe.each(targets)('ingest on $name', (target) => {
  let server: TestServer;
  let ingestKey: string;

  beforeEach(async () => {
    server = await startServer({ databaseUrl: target.freshUrl() });
    ingestKey = await newKey(server, 'ingest', 'site');
  });
  afterEach(() => server.close());

  const post = (body: unknown, key = ingestKey) =>
    call(`${server.url}/api/v1/ingest`, { method: 'POST', key, body });
  const count = async (table: string) =>
    Number((await server.app.db.manager.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  it('accepts a batch with 202 after storing it, and a replay changes nothing', async () => {
    const batch = { site: SITE, hits: [wireHit(), wireHit({ path: '/robots.txt', trap: null })] };
    const first = await post(batch);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ success: true, data: { accepted: 2, duplicates: 0 } });
    expect(await count('honey_hits')).toBe(2);
    const sessions = await server.app.db.manager.query('SELECT hit_count FROM honey_sessions');
    expect(sessions).toEqual([{ hit_count: 2 }]);
    const events = await count('events');

    const replay = await post(batch);
    expect(replay.body).toEqual({ success: true, data: { accepted: 0, duplicates: 2 } });
    expect(await count('honey_hits')).toBe(2);
    expect(await server.app.db.manager.query('SELECT hit_count FROM honey_sessions')).toEqual([
      { hit_count: 2 },
    ]);
    expect(await count('events')).toBe(events);
  });

  it('counts a hit repeated inside one batch once', async () => {
    const hit = wireHit();
    const res = await post({ site: SITE, hits: [hit, hit] });
    expect(res.body.data).toEqual({ accepted: 1, duplicates: 1 });
  });

  it('rejects a batch with one invalid hit whole, naming its index', async () => {
    const res = await post({ site: SITE, hits: [wireHit(), wireHit(), wireHit({ type: 'teleport' })] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.error).toMatch(/^hits\[2\]\.type: Invalid option/);
    expect(await count('honey_hits')).toBe(0);
  });

  it.each([
    [
      'an absurd timestamp',
      { ts: '1999-01-01T00:00:00Z' },
      /^hits\[0\]\.ts: 1999-01-01T00:00:00Z is more than 24 hours from the server's clock$/,
    ],
    ['a malformed timestamp', { ts: 'yesterday' }, /^hits\[0\]\.ts: Invalid ISO datetime$/],
    ['an oversized path', { path: `/${'a'.repeat(5000)}` }, /^hits\[0\]\.path: Too big/],
    [
      'an oversized system prompt',
      {
        type: 'extraction',
        extraction: {
          model: 'x',
          operator: null,
          task: null,
          system_prompt: 'p'.repeat(20_000),
          truncated: false,
        },
      },
      /^hits\[0\]\.extraction\.system_prompt: Too big/,
    ],
    ['a bad id', { id: 'not-a-uuid' }, /^hits\[0\]\.id: must be a UUID$/],
    [
      'another site',
      { site: 'evil.example' },
      /^hits\[0\]\.site: must equal the batch's site "shop.example.com"$/,
    ],
    ['an unknown field', { color: 'red' }, /^hits\[0\]\.color: unknown field$/],
  ])('rejects %s without a 500', async (_label, over, message) => {
    const res = await post({ site: SITE, hits: [wireHit(over)] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
    expect(await count('honey_hits')).toBe(0);
  });

  it('stores hits for unknown trap ids as they are', async () => {
    const res = await post({
      site: SITE,
      hits: [wireHit({ trap: { id: 'no-such-trap', name: 'x', path: '/x', type: 'api' } })],
    });
    expect(res.status).toBe(202);
    expect(await server.app.db.manager.query('SELECT trap_id FROM honey_hits')).toEqual([
      { trap_id: 'no-such-trap' },
    ]);
  });

  it('caps batches at 1,000 hits and 2 MiB', async () => {
    const many = await post({ site: SITE, hits: Array.from({ length: 1001 }, () => wireHit()) });
    expect(many.status).toBe(400);
    expect(many.body.error).toMatch(/^hits: Too big: expected array to have <=1000 items$/);
    const big = await post({ site: SITE, hits: [wireHit({ query: 'q'.repeat(2 * 1024 * 1024) })] });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({
      success: false,
      error: 'Request body exceeds the limit of 2097152 bytes',
      code: 'PAYLOAD_TOO_LARGE',
    });
    const empty = await post({ site: SITE, hits: [] });
    expect(empty.status).toBe(400);
  });

  it('is for ingest and admin keys only; read-write keys may not ingest', async () => {
    const rw = await newKey(server, 'read-write', 'rw');
    expect((await post({ site: SITE, hits: [wireHit()] }, rw)).status).toBe(403);
    expect((await post({ site: SITE, hits: [wireHit()] }, server.adminKey)).status).toBe(202);
    // The ingest key can do nothing else.
    expect((await call(`${server.url}/dashboard/api/traps`, { key: ingestKey })).status).toBe(403);
    expect((await call(`${server.url}/v1/apikeys`, { key: ingestKey })).status).toBe(403);
  });

  it('serves the org trap list to the middleware with an ETag', async () => {
    const first = await call(`${server.url}/api/v1/ingest/config`, { key: ingestKey });
    expect(first.status).toBe(200);
    expect(first.body.data.traps.length).toBeGreaterThanOrEqual(11);
    expect(first.body.data.traps[0]).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      path: '/robots.txt',
      type: 'page',
      description: expect.any(String),
      active: 1,
      injection_formats: expect.any(String),
      site_id: null,
    });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await call(`${server.url}/api/v1/ingest/config`, {
      key: ingestKey,
      headers: { 'If-None-Match': etag },
    });
    expect(again.status).toBe(304);
    await call(`${server.url}/dashboard/api/traps/${first.body.data.traps[0].id}`, {
      method: 'PATCH',
      key: server.adminKey,
      body: { active: 0 },
    });
    const changed = await call(`${server.url}/api/v1/ingest/config`, {
      key: ingestKey,
      headers: { 'If-None-Match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data.traps[0].active).toBe(0);
  });

  it('keeps orgs apart: the same hit id in another org is not a duplicate, and each sees only its own', async () => {
    const other = await createOrgWithAdminKey(server.app.db, { name: 'Other' }, Date.now());
    const hit = wireHit();
    expect((await post({ site: SITE, hits: [hit] })).body.data.accepted).toBe(1);
    expect((await post({ site: SITE, hits: [hit] }, other.apiKey)).body.data.accepted).toBe(1);
    const rows = await server.app.db.manager.query('SELECT org_id FROM honey_sessions ORDER BY org_id');
    expect(rows.map((r: { org_id: string }) => r.org_id).sort()).toEqual([server.orgId, other.org.id].sort());
  });
});
