import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventEntity } from '../src/db/entities.js';
import { call, dropTestDatabases, startInstance, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

describe.each(targets)('API keys on $name', (target) => {
  let server: TestServer;
  let databaseUrl: string;

  beforeEach(async () => {
    databaseUrl = target.freshUrl();
    server = await startServer({ databaseUrl });
  });
  afterEach(() => server.close());

  const create = (body: unknown, key = server.adminKey) =>
    call(`${server.url}/v1/apikeys`, { method: 'POST', key, body });

  it('creates a key, shows it once, and lists and gets only its first 8 characters', async () => {
    const created = await create({ name: 'CI/CD Pipeline', scope: 'read-only' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^lh_[0-9A-Za-z]{32}$/);
    expect(created.body).toMatchObject({
      name: 'CI/CD Pipeline',
      scope: 'read-only',
      prefix: created.body.key.slice(0, 8),
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(created.headers.get('location')).toBe(`/v1/apikeys/${created.body.id}`);

    const list = await call(`${server.url}/v1/apikeys`, { key: server.adminKey });
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { name: string }) => k.name)).toEqual([
      'CI/CD Pipeline',
      'Bootstrap admin key',
    ]);
    const one = await call(`${server.url}/v1/apikeys/${created.body.id}`, { key: server.adminKey });
    expect(one.body).toEqual({ ...created.body, key: undefined, lastUsedAt: null });
    for (const shown of [JSON.stringify(list.body), JSON.stringify(one.body)]) {
      expect(shown).not.toContain(created.body.key);
      expect(shown).not.toMatch(/hash/i);
    }
    // The new key works with its own scope.
    expect((await call(`${server.url}/v1/apikeys`, { key: created.body.key })).status).toBe(403);
  });

  it('stores only a SHA-256 hash of the key', async () => {
    const created = await create({ name: 'x', scope: 'admin' });
    const rows = await server.app.db.manager.query('SELECT * FROM api_keys');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(created.body.key);
    const { createHash } = await import('node:crypto');
    expect(dump).toContain(createHash('sha256').update(created.body.key).digest('hex'));
  });

  it('revokes at once on this instance and writes apikey.created / apikey.revoked events', async () => {
    const created = await create({ name: 'temp', scope: 'admin' });
    expect((await call(`${server.url}/v1/apikeys`, { key: created.body.key })).status).toBe(200);
    const revoked = await call(`${server.url}/v1/apikeys/${created.body.id}`, {
      method: 'DELETE',
      key: server.adminKey,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const after = await call(`${server.url}/v1/apikeys`, { key: created.body.key });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Invalid or revoked API key' } });
    // Gone from the API: not listed, not found, cannot be revoked twice.
    const list = await call(`${server.url}/v1/apikeys`, { key: server.adminKey });
    expect(list.body.data.map((k: { id: string }) => k.id)).not.toContain(created.body.id);
    const again = await call(`${server.url}/v1/apikeys/${created.body.id}`, {
      method: 'DELETE',
      key: server.adminKey,
    });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('APIKEY_NOT_FOUND');

    const events = await server.app.db.manager.find(EventEntity, {
      where: { orgId: server.orgId },
      order: { seq: 'ASC' },
    });
    const mine = events.filter((e) => JSON.parse(e.data).id === created.body.id);
    expect(mine.map((e) => e.type)).toEqual(['apikey.created', 'apikey.revoked']);
    expect(mine[0]!.id).toMatch(/^evt_/);
    expect(JSON.parse(mine[0]!.data)).toEqual({
      id: created.body.id,
      name: 'temp',
      scope: 'admin',
      prefix: created.body.prefix,
      expiresAt: null,
    });
    expect(JSON.stringify(events)).not.toContain(created.body.key);
  });

  it('revocation reaches another instance on the same database within 1 s', async () => {
    const other = await startInstance({ databaseUrl });
    try {
      const created = await create({ name: 'shared', scope: 'read-only' });
      expect((await call(`${other.url}/v1/apikeys`, { key: created.body.key })).status).toBe(403);
      await call(`${server.url}/v1/apikeys/${created.body.id}`, { method: 'DELETE', key: server.adminKey });
      const revokedAt = Date.now();
      let status = 0;
      while (Date.now() - revokedAt < 1_000) {
        status = (await call(`${other.url}/v1/apikeys`, { key: created.body.key })).status;
        if (status === 401) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(401);
    } finally {
      await other.app.close(1_000);
    }
  });

  it('honours expiresAt', async () => {
    const soon = new Date(Date.now() + 1_500).toISOString();
    const created = await create({ name: 'short', scope: 'admin', expiresAt: soon });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(soon);
    expect((await call(`${server.url}/v1/apikeys`, { key: created.body.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_600));
    const expired = await call(`${server.url}/v1/apikeys`, { key: created.body.key });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toBe('API key has expired');

    const past = await create({ name: 'past', scope: 'admin', expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toBe('expiresAt: must be in the future');
  });

  it('pages the list with a cursor, each key exactly once', async () => {
    for (let i = 0; i < 7; i++) await create({ name: `k${i}`, scope: 'read-only' });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { data: { name: string }[]; hasMore: boolean; nextCursor: string | null } } =
        await call(`${server.url}/v1/apikeys?limit=3${cursor ? `&cursor=${cursor}` : ''}`, {
          key: server.adminKey,
        });
      seen.push(...page.body.data.map((k) => k.name));
      cursor = page.body.nextCursor;
      expect(page.body.hasMore).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['k6', 'k5', 'k4', 'k3', 'k2', 'k1', 'k0', 'Bootstrap admin key']);

    const bad = await call(`${server.url}/v1/apikeys?cursor=nonsense`, { key: server.adminKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('cursor: not a cursor returned by this API');
  });
});
