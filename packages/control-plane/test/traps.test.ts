import { DEFAULT_TRAP_SET } from '@lobster/honey-middleware';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrgWithAdminKey } from '../src/orgs/bootstrap.js';
import { call, dropTestDatabases, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(targets)('traps on $name', (target) => {
  let server: TestServer;
  const keys: Record<string, string> = {};

  beforeEach(async () => {
    server = await startServer({ databaseUrl: target.freshUrl() });
    for (const scope of ['read-only', 'read-write', 'ingest']) {
      const res = await call(`${server.url}/v1/apikeys`, {
        method: 'POST',
        key: server.adminKey,
        body: { name: scope, scope },
      });
      keys[scope] = res.body.key;
    }
  });
  afterEach(() => server.close());

  const traps = (init: Parameters<typeof call>[1] = {}, suffix = '') =>
    call(`${server.url}/dashboard/api/traps${suffix}`, { key: server.adminKey, ...init });
  const events = async (type: string) =>
    (await server.app.db.manager.query('SELECT data FROM events WHERE type = $1 ORDER BY seq', [type])).map(
      (r: { data: string }) => JSON.parse(r.data),
    );

  it('a new org starts with the default trap set, in the seed shape', async () => {
    const res = await traps();
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data.map((t: { path: string }) => t.path)).toEqual(DEFAULT_TRAP_SET.map((t) => t.path));
    const robots = res.body.data.find((t: { path: string }) => t.path === '/robots.txt');
    expect(robots).toEqual({
      id: expect.stringMatching(UUID),
      name: DEFAULT_TRAP_SET[0]!.name,
      path: '/robots.txt',
      type: 'page',
      description: DEFAULT_TRAP_SET[0]!.description,
      active: 1,
      injection_formats: DEFAULT_TRAP_SET[0]!.injection_formats,
      site_id: null,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
      org_id: server.orgId,
    });
    expect(new Set(res.body.data.map((t: { type: string }) => t.type))).toEqual(
      new Set(['page', 'file', 'config', 'api']),
    );
  });

  it('creates a trap as in the seed example, then reads, updates and deletes it', async () => {
    const created = await traps({
      method: 'POST',
      body: {
        name: 'API Config Trap',
        path: '/api/v2/config',
        type: 'api',
        description: 'Honeypot API endpoint',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.success).toBe(true);
    expect(created.body.data).toMatchObject({
      id: expect.stringMatching(UUID),
      name: 'API Config Trap',
      path: '/api/v2/config',
      type: 'api',
      description: 'Honeypot API endpoint',
      active: 1,
      injection_formats: 'html-comment,json-meta,prose',
      org_id: server.orgId,
    });
    const id = created.body.data.id;
    expect((await traps({}, `/${id}`)).body.data).toEqual(created.body.data);

    const patched = await traps(
      { method: 'PATCH', body: { active: 0, name: 'Renamed', injection_formats: 'prose,zero-width' } },
      `/${id}`,
    );
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({
      active: 0,
      name: 'Renamed',
      injection_formats: 'zero-width,prose',
      path: '/api/v2/config',
    });
    expect(patched.body.data.updated_at >= created.body.data.updated_at).toBe(true);

    const deleted = await traps({ method: 'DELETE' }, `/${id}`);
    expect(deleted.body).toEqual({ success: true, data: { id, deleted: true } });
    expect((await traps({}, `/${id}`)).status).toBe(404);
    expect((await traps({}, `/${id}`)).body).toEqual({
      success: false,
      error: `Trap with id '${id}' not found`,
      code: 'TRAP_NOT_FOUND',
    });

    expect((await events('trap.created')).map((e: { id: string }) => e.id)).toEqual([id]);
    expect((await events('trap.updated'))[0]).toMatchObject({
      id,
      active: 0,
      changed: ['name', 'active', 'injectionFormats'],
    });
    expect((await events('trap.deleted'))[0]).toMatchObject({ id, path: '/api/v2/config' });
  });

  it('refuses a second trap on the same path of the same site, but not of another site', async () => {
    const clash = await traps({ method: 'POST', body: { name: 'x', path: '/.env', type: 'file' } });
    expect(clash.status).toBe(409);
    expect(clash.body).toEqual({
      success: false,
      error: 'A trap already answers /.env on this site',
      code: 'TRAP_PATH_TAKEN',
    });
    const siteOnly = await traps({
      method: 'POST',
      body: { name: 'x', path: '/.env', type: 'file', site_id: 'shop.example.com' },
    });
    expect(siteOnly.status).toBe(201);
    const again = await traps({
      method: 'POST',
      body: { name: 'y', path: '/.env', type: 'file', site_id: 'shop.example.com' },
    });
    expect(again.status).toBe(409);
    const forSite = await traps({}, '?site=shop.example.com');
    expect(forSite.body.data.filter((t: { path: string }) => t.path === '/.env')).toHaveLength(2);
    const forOther = await traps({}, '?site=blog.example.com');
    expect(forOther.body.data.filter((t: { path: string }) => t.path === '/.env')).toHaveLength(1);
  });

  it.each([
    [{ name: 'x', path: 'no-slash', type: 'api' }, /^path: must start with "\/"/],
    [
      { name: 'x', path: '/a/../etc/passwd', type: 'api' },
      /^path: must not contain "\." or "\.\." segments$/,
    ],
    [{ name: 'x', path: '/a b', type: 'api' }, /^path: must start with/],
    [
      { name: 'x', path: '/x', type: 'honeypot' },
      /^type: Invalid option: expected one of "file"\|"config"\|"api"\|"page"$/,
    ],
    [
      { name: 'x', path: '/x', type: 'api', injection_formats: 'html-comment,telepathy' },
      /^injection_formats: must be a comma-separated list of/,
    ],
    [{ name: 'x', path: '/x', type: 'api', active: 'yes' }, /^active: /],
    [{ path: '/x', type: 'api' }, /^name: /],
    [{ name: 'x', path: '/x', type: 'api', org_id: 'someone-else' }, /^org_id: unknown field$/],
  ])('rejects a bad trap %j', async (body, message) => {
    const before = (await traps()).body.data.length;
    const res = await traps({ method: 'POST', body });
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.error).toMatch(message);
    expect((await traps()).body.data.length).toBe(before);
  });

  it('rejects an empty or path-changing PATCH', async () => {
    const id = (await traps()).body.data[0].id;
    const empty = await traps({ method: 'PATCH', body: {} }, `/${id}`);
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe(
      'body: nothing to update: give name, description, active, injection_formats or site_id',
    );
    const path = await traps({ method: 'PATCH', body: { path: '/elsewhere' } }, `/${id}`);
    expect(path.status).toBe(400);
    expect(path.body.error).toMatch(/^path: unknown field/);
  });

  it('scopes: read-only reads, read-write writes, ingest does neither', async () => {
    const id = (await traps()).body.data[0].id;
    const as = (key: string, init: Parameters<typeof call>[1] = {}, suffix = '') =>
      call(`${server.url}/dashboard/api/traps${suffix}`, { ...init, key });
    expect((await as(keys['read-only']!)).status).toBe(200);
    expect((await as(keys['read-only']!, {}, `/${id}`)).status).toBe(200);
    const denied = await as(keys['read-only']!, { method: 'PATCH', body: { active: 0 } }, `/${id}`);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      success: false,
      error: 'This route needs write access; the credential has scope "read-only"',
      code: 'FORBIDDEN',
    });
    expect((await as(keys['read-only']!, { method: 'DELETE' }, `/${id}`)).status).toBe(403);
    expect((await as(keys['read-write']!, { method: 'PATCH', body: { active: 0 } }, `/${id}`)).status).toBe(
      200,
    );
    expect((await as(keys.ingest!)).status).toBe(403);
    expect(
      (await as(keys.ingest!, { method: 'POST', body: { name: 'x', path: '/x', type: 'api' } })).status,
    ).toBe(403);
  });

  it("keeps orgs apart: another org's trap is 404 on every route", async () => {
    const other = await createOrgWithAdminKey(server.app.db, { name: 'Other' }, Date.now());
    const id = (await traps()).body.data[0].id;
    const theirs = (init: Parameters<typeof call>[1] = {}) =>
      call(`${server.url}/dashboard/api/traps/${id}`, { ...init, key: other.apiKey });
    for (const res of [
      await theirs(),
      await theirs({ method: 'PATCH', body: { active: 0 } }),
      await theirs({ method: 'DELETE' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('TRAP_NOT_FOUND');
    }
    const list = await call(`${server.url}/dashboard/api/traps`, { key: other.apiKey });
    expect(list.body.data.map((t: { id: string }) => t.id)).not.toContain(id);
    expect(list.body.data.every((t: { org_id: string }) => t.org_id === other.org.id)).toBe(true);
    expect((await traps({}, `/${id}`)).body.data.active).toBe(1);
  });
});
