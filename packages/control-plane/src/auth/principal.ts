import type { ApiKeyScope } from '../db/entities.js';

/** Who is calling: always exactly one org, one scope, and a stable id to rate-limit by. */
export interface Principal {
  orgId: string;
  scope: ApiKeyScope;
  kind: 'apikey' | 'jwt';
  /** API key id, or the JWT subject. */
  id: string;
}

export type Permission = 'read' | 'write' | 'admin' | 'ingest';

/** The scope table of DESIGN §4: ingest keys do nothing but ingest; admin does everything. */
const ALLOWED: Record<ApiKeyScope, readonly Permission[]> = {
  'read-only': ['read'],
  'read-write': ['read', 'write'],
  admin: ['read', 'write', 'admin', 'ingest'],
  ingest: ['ingest'],
};

export function scopeAllows(scope: ApiKeyScope, permission: Permission): boolean {
  return ALLOWED[scope].includes(permission);
}

export function rateLimitBucket(principal: Principal): string {
  return `${principal.kind}:${principal.id}`;
}
