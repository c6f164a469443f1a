import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, dropTestDatabases, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

describe.each(targets)('Idempotency-Key on $name', (target) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ databaseUrl: target.freshUrl() });
  });
  afterEach(() => server.close());

  const create = (body: unknown, idempotencyKey?: string, key = server.adminKey) =>
    call(`${server.url}/v1/apikeys`, {
      method: 'POST',
      key,
      body,
      headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
    });
  const keyCount = async () =>
    Number((await server.app.db.manager.query('SELECT count(*) AS n FROM api_keys'))[0].n);

  it('replays the stored response for the same key and body, creating nothing new', async () => {
    const before = await keyCount();
    const first = await create({ name: 'deploy bot', scope: 'read-write' }, 'req-0001');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const second = await create({ name: 'deploy bot', scope: 'read-write' }, 'req-0001');
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.body).toEqual(first.body);
    expect(await keyCount()).toBe(before + 1);
  });

  it('answers 422 when the key comes back with another body', async () => {
    await create({ name: 'a', scope: 'read-only' }, 'req-0002');
    const conflict = await create({ name: 'b', scope: 'read-only' }, 'req-0002');
    expect(conflict.status).toBe(422);
    expect(conflict.body).toEqual({
      error: {
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: 'This Idempotency-Key was already used with a different request body',
      },
    });
  });

  it('does not keep failed requests, so a corrected retry with the same key goes through', async () => {
    const bad = await create({ name: 'a', scope: 'nope' }, 'req-0003');
    expect(bad.status).toBe(400);
    const good = await create({ name: 'a', scope: 'read-only' }, 'req-0003');
    expect(good.status).toBe(201);
    expect(good.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keeps keys apart per caller', async () => {
    const other = await create({ name: 'other admin', scope: 'admin' });
    const mine = await create({ name: 'x', scope: 'read-only' }, 'shared-key');
    const theirs = await create({ name: 'x', scope: 'read-only' }, 'shared-key', other.body.key);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('runs concurrent duplicates once', async () => {
    const before = await keyCount();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => create({ name: 'burst', scope: 'read-only' }, 'req-burst')),
    );
    expect(await keyCount()).toBe(before + 1);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of created) expect(r.body.id).toBe(created[0]!.body.id);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    }
  });

  it('rejects an unusable key', async () => {
    const res = await create({ name: 'a', scope: 'read-only' }, 'x'.repeat(300));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Idempotency-Key: must be 1-255 printable ASCII characters');
  });
});
