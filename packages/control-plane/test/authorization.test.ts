import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrgWithAdminKey } from '../src/orgs/bootstrap.js';
import { call, dropTestDatabases, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

/** Every authenticated route so far; `:id` is filled with a real key id of the caller's org. */
const ROUTES = [
  { method: 'GET', path: '/v1/apikeys', ok: 200 },
  { method: 'POST', path: '/v1/apikeys', ok: 201, body: { name: 'n', scope: 'read-only' } },
  { method: 'GET', path: '/v1/apikeys/:id', ok: 200 },
  { method: 'DELETE', path: '/v1/apikeys/:id', ok: 200 },
] as const;

describe.each(targets)('authorization matrix on $name', (target) => {
  let server: TestServer;
  let now: number;
  const keys: Record<string, string> = {};
  let victimId: string;

  beforeEach(async () => {
    now = Date.now();
    server = await startServer({ databaseUrl: target.freshUrl(), clock: () => now });
    const make = async (scope: string, extra: object = {}) => {
      const res = await call(`${server.url}/v1/apikeys`, {
        method: 'POST',
        key: server.adminKey,
        body: { name: scope, scope, ...extra },
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; key: string };
    };
    for (const scope of ['read-only', 'read-write', 'ingest']) keys[scope] = (await make(scope)).key;
    keys.expired = (await make('admin', { expiresAt: new Date(now + 60_000).toISOString() })).key;
    const revoked = await make('admin');
    await call(`${server.url}/v1/apikeys/${revoked.id}`, { method: 'DELETE', key: server.adminKey });
    keys.revoked = revoked.key;
    victimId = (await make('read-only')).id;
    keys.otherOrg = (await createOrgWithAdminKey(server.app.db, { name: 'Other' }, now)).apiKey;
    now += 120_000; // the "expired" key is now past its expiry
  });
  afterEach(() => server.close());

  const request = (route: (typeof ROUTES)[number], key?: string, headers: Record<string, string> = {}) =>
    call(`${server.url}${route.path.replace(':id', victimId)}`, {
      method: route.method,
      ...(key ? { key } : {}),
      headers,
      ...('body' in route ? { body: route.body } : {}),
    });

  const unauthorized = (message: string) => ({ error: { code: 'UNAUTHORIZED', message } });

  for (const route of ROUTES) {
    describe(`${route.method} ${route.path}`, () => {
      it('401 without an Authorization header', async () => {
        const res = await request(route);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expect(res.body).toEqual(
          unauthorized('Missing Authorization header; send "Authorization: Bearer <key>"'),
        );
      });

      it('401 with a malformed header', async () => {
        for (const value of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', server.adminKey]) {
          const res = await request(route, undefined, { Authorization: value });
          expect(res.status).toBe(401);
          expect(res.body).toEqual(unauthorized('Malformed Authorization header; expected "Bearer <key>"'));
        }
      });

      it('401 with an unknown, malformed, revoked or expired key', async () => {
        const cases: [string, string][] = [
          [`lh_${'A'.repeat(32)}`, 'Invalid or revoked API key'],
          ['lh_short', 'Malformed API key'],
          ['sk_live_something', 'Unrecognised credential; expected an lh_ API key or a JWT'],
          [keys.revoked!, 'Invalid or revoked API key'],
          [keys.expired!, 'API key has expired'],
        ];
        for (const [key, message] of cases) {
          const res = await request(route, key);
          expect(res.status, key).toBe(401);
          expect(res.body).toEqual(unauthorized(message));
          expect(res.headers.get('x-ratelimit-limit')).toBeNull();
        }
      });

      it('403 for every scope but admin, naming the scope', async () => {
        for (const scope of ['read-only', 'read-write', 'ingest']) {
          const res = await request(route, keys[scope]);
          expect(res.status, scope).toBe(403);
          expect(res.body).toEqual({
            error: {
              code: 'FORBIDDEN',
              message: `This route needs the admin scope; the credential has scope "${scope}"`,
            },
          });
          expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
        }
      });

      it('succeeds with an admin key of the org', async () => {
        const res = await request(route, server.adminKey);
        expect(res.status).toBe(route.ok);
      });

      if (route.path.includes(':id')) {
        it("404 for another org's key id, as if it did not exist", async () => {
          const res = await request(route, keys.otherOrg);
          expect(res.status).toBe(404);
          expect(res.body).toEqual({
            error: { code: 'APIKEY_NOT_FOUND', message: `API key with id '${victimId}' not found` },
          });
        });
      }
    });
  }

  it('GET /v1/whoami tells every valid credential its org and scope, and refuses bad ones', async () => {
    for (const scope of ['read-only', 'read-write', 'ingest']) {
      const res = await call(`${server.url}/v1/whoami`, { key: keys[scope]! });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        orgId: server.orgId,
        scope,
        credential: 'apikey',
        keyId: expect.stringMatching(/^key_/),
      });
    }
    const other = await call(`${server.url}/v1/whoami`, { key: keys.otherOrg! });
    expect(other.body.orgId).not.toBe(server.orgId);
    for (const key of [keys.revoked!, keys.expired!]) {
      expect((await call(`${server.url}/v1/whoami`, { key })).status).toBe(401);
    }
    expect((await call(`${server.url}/v1/whoami`)).status).toBe(401);
  });

  it("another org's list never shows this org's keys", async () => {
    const res = await call(`${server.url}/v1/apikeys`, { key: keys.otherOrg! });
    expect(res.body.data.map((k: { name: string }) => k.name)).toEqual(['Bootstrap admin key']);
    const mine = await call(`${server.url}/v1/apikeys`, { key: server.adminKey });
    expect(mine.body.data.map((k: { id: string }) => k.id)).toContain(victimId);
  });

  it('the LobsterHoney surface answers in its own envelope', async () => {
    const res = await call(`${server.url}/dashboard/api/traps`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      success: false,
      error: 'Missing Authorization header; send "Authorization: Bearer <key>"',
      code: 'UNAUTHORIZED',
    });
    const events = await call(`${server.url}/api/v1/events`, { key: 'lh_nope' });
    expect(events.body).toEqual({ success: false, error: 'Malformed API key', code: 'UNAUTHORIZED' });
  });
});
