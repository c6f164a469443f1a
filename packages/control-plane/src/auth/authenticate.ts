import type { Middleware } from 'koa';
import type { ApiKeyVerifier } from '../apikeys/verifier.js';
import { Forbidden, Unauthorized } from '../http/errors.js';
import { JWT_SHAPE, type JwtAuthenticator } from './jwt.js';
import { type Permission, type Principal, scopeAllows } from './principal.js';

/**
 * Resolves `Authorization: Bearer …` to a Principal on `ctx.state.principal`. A value starting with
 * `lh_` is an API key; one shaped like a JWT is checked against the JWKS when one is configured.
 */
export function authenticate(keys: ApiKeyVerifier, jwt: JwtAuthenticator | null): Middleware {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    if (!header) throw new Unauthorized('Missing Authorization header; send "Authorization: Bearer <key>"');
    const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
    if (!match) throw new Unauthorized('Malformed Authorization header; expected "Bearer <key>"');
    const token = match[1]!;
    let principal: Principal;
    if (token.startsWith('lh_')) {
      const row = await keys.verify(token);
      principal = { orgId: row.orgId, scope: row.scope, kind: 'apikey', id: row.id };
    } else if (jwt && JWT_SHAPE.test(token)) {
      principal = await jwt.authenticate(token);
    } else {
      throw new Unauthorized('Unrecognised credential; expected an lh_ API key or a JWT');
    }
    ctx.state.principal = principal;
    await next();
  };
}

const PERMISSION_WORDS: Record<Permission, string> = {
  read: 'read access',
  write: 'write access',
  admin: 'the admin scope',
  ingest: 'the ingest scope',
};

/** Route guard: the caller's scope must allow `permission` (DESIGN §4 scope table). */
export function requirePermission(permission: Permission): Middleware {
  return async (ctx, next) => {
    const principal = ctx.state.principal as Principal | undefined;
    if (!principal) throw new Unauthorized();
    if (!scopeAllows(principal.scope, permission)) {
      throw new Forbidden(
        `This route needs ${PERMISSION_WORDS[permission]}; the credential has scope "${principal.scope}"`,
      );
    }
    await next();
  };
}
