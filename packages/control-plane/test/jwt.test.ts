import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrgEntity } from '../src/db/entities.js';
import { call, dropTestDatabases, startServer, type TestServer, targets } from './helpers.js';

/** A real JWKS endpoint on loopback, as Clerk (or any OIDC provider) would serve it. */
let jwks: Server;
let jwksUrl: string;
let sign: (claims: JWTPayload, options?: { expiresIn?: string; issuer?: string }) => Promise<string>;
let signWithStranger: (claims: JWTPayload) => Promise<string>;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  sign = (claims, options = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuedAt()
      .setIssuer(options.issuer ?? 'https://clerk.example.test')
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(privateKey);
  signWithStranger = (claims) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
});

afterAll(async () => {
  jwks?.close();
  await dropTestDatabases();
});

describe.each(targets)('JWT authentication on $name', (target) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      databaseUrl: target.freshUrl(),
      jwt: { jwksUrl, issuer: 'https://clerk.example.test' },
    });
    return () => server.close();
  });

  it('accepts an org admin (flat claims) and creates the org on first sight', async () => {
    const token = await sign({
      sub: 'user_1',
      org_id: 'org_clerk_A',
      org_role: 'org:admin',
      org_slug: 'acme-a',
    });
    const res = await call(`${server.url}/v1/apikeys`, { key: token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    const org = await server.app.db.manager.findOneByOrFail(OrgEntity, { externalId: 'org_clerk_A' });
    expect(org.name).toBe('acme-a');
    // Same org again: no second org.
    await call(`${server.url}/v1/apikeys`, {
      key: await sign({ sub: 'user_2', org_id: 'org_clerk_A', org_role: 'org:admin' }),
    });
    expect(await server.app.db.manager.countBy(OrgEntity, { externalId: 'org_clerk_A' })).toBe(1);
  });

  it('reads compact claims (o.id, o.rol) and gives members read-write, not admin', async () => {
    const admin = await sign({ sub: 'user_3', o: { id: 'org_clerk_B', rol: 'admin' } });
    const created = await call(`${server.url}/v1/apikeys`, {
      method: 'POST',
      key: admin,
      body: { name: 'from the dashboard', scope: 'read-only' },
    });
    expect(created.status).toBe(201);
    const member = await sign({ sub: 'user_4', o: { id: 'org_clerk_B', rol: 'member' } });
    const denied = await call(`${server.url}/v1/apikeys`, { key: member });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      'This route needs the admin scope; the credential has scope "read-write"',
    );
  });

  it('keeps JWT orgs apart from each other and from key orgs', async () => {
    const a = await sign({ sub: 'u', org_id: 'org_clerk_C', org_role: 'org:admin' });
    const b = await sign({ sub: 'u', org_id: 'org_clerk_D', org_role: 'org:admin' });
    const made = await call(`${server.url}/v1/apikeys`, {
      method: 'POST',
      key: a,
      body: { name: 'c', scope: 'admin' },
    });
    expect((await call(`${server.url}/v1/apikeys/${made.body.id}`, { key: b })).status).toBe(404);
    expect((await call(`${server.url}/v1/apikeys/${made.body.id}`, { key: server.adminKey })).status).toBe(
      404,
    );
    expect((await call(`${server.url}/v1/apikeys/${made.body.id}`, { key: a })).status).toBe(200);
  });

  it('rate-limits per JWT subject', async () => {
    const token = await sign({ sub: 'user_rl', org_id: 'org_clerk_E', org_role: 'org:admin' });
    const res = await call(`${server.url}/v1/apikeys`, { key: token });
    expect(res.headers.get('x-ratelimit-remaining')).toBe('99');
    const again = await call(`${server.url}/v1/apikeys`, {
      key: await sign({ sub: 'user_rl', org_id: 'org_clerk_E', org_role: 'org:admin' }),
    });
    expect(again.headers.get('x-ratelimit-remaining')).toBe('98');
  });

  it.each([
    ['an expired token', () => sign({ sub: 'u', org_id: 'o' }, { expiresIn: '-1m' }), 401, 'JWT has expired'],
    ['a token signed by another key', () => signWithStranger({ sub: 'u', org_id: 'o' }), 401, 'Invalid JWT'],
    [
      'a token from another issuer',
      () => sign({ sub: 'u', org_id: 'o' }, { issuer: 'https://evil.test' }),
      401,
      'Invalid JWT',
    ],
    ['a token without a subject', () => sign({ org_id: 'o' }), 401, 'JWT has no subject'],
    ['a token without an org', () => sign({ sub: 'u' }), 403, 'JWT names no organization (org_id or o.id)'],
  ])('refuses %s', async (_label, make, status, message) => {
    const res = await call(`${server.url}/v1/apikeys`, { key: await make() });
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe(message);
  });
});
