import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/database.js';
import { OrgEntity } from '../db/entities.js';
import { Forbidden, Unauthorized } from '../http/errors.js';
import { createOrg } from '../orgs/orgs.js';
import type { Principal } from './principal.js';

export const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

interface OrgClaims {
  orgId?: string;
  role?: string;
  orgName?: string;
}

/** Clerk session tokens carry the org either flat (`org_id`, `org_role`) or compact (`o.id`, `o.rol`). */
function orgClaims(payload: JWTPayload): OrgClaims {
  const compact = (payload.o ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const claims: OrgClaims = {};
  const orgId = str(payload.org_id) ?? str(compact.id);
  const role = str(payload.org_role) ?? str(compact.rol);
  const orgName = str(payload.org_slug) ?? str(compact.slg);
  if (orgId) claims.orgId = orgId;
  if (role) claims.role = role;
  if (orgName) claims.orgName = orgName;
  return claims;
}

/** "org:admin" (Clerk), "admin" (compact claim) → admin; every other member may read and write. */
function isAdminRole(role: string | undefined): boolean {
  return role === 'admin' || role === 'org:admin';
}

/**
 * Verifies dashboard JWTs against the configured JWKS and maps them onto an org of ours, creating the
 * org the first time a valid token names it.
 */
export class JwtAuthenticator {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly options: { jwksUrl: string; issuer?: string },
    private readonly db: Database,
    private readonly clock: () => number,
  ) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  }

  async authenticate(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
        currentDate: new Date(this.clock()),
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new Unauthorized(code === 'ERR_JWT_EXPIRED' ? 'JWT has expired' : 'Invalid JWT');
    }
    if (!payload.sub) throw new Unauthorized('JWT has no subject');
    const claims = orgClaims(payload);
    if (!claims.orgId) throw new Forbidden('JWT names no organization (org_id or o.id)');
    const orgId = await this.orgFor(claims.orgId, claims.orgName);
    return { orgId, scope: isAdminRole(claims.role) ? 'admin' : 'read-write', kind: 'jwt', id: payload.sub };
  }

  private async orgFor(externalId: string, name: string | undefined): Promise<string> {
    const existing = await this.db.manager.findOneBy(OrgEntity, { externalId });
    if (existing) return existing.id;
    try {
      const org = await this.db.transaction((m) =>
        createOrg(m, { name: name ?? externalId, externalId }, this.clock()),
      );
      return org.id;
    } catch (err) {
      // Another request (or instance) created it first.
      if (!isUniqueViolation(err)) throw err;
      const org = await this.db.manager.findOneByOrFail(OrgEntity, { externalId });
      return org.id;
    }
  }
}
