import { EntitySchema } from 'typeorm';

/**
 * Entities are EntitySchemas (esbuild emits no decorator metadata). Timestamps are ISO-8601 UTC strings
 * of fixed width in both dialects: they sort and compare as text, and read back identically everywhere.
 */
export interface OrgRow {
  id: string;
  slug: string;
  name: string;
  /** The identity provider's org id (e.g. Clerk's `org_…`) for orgs first seen in a JWT. */
  externalId: string | null;
  createdAt: string;
}

export const OrgEntity = new EntitySchema<OrgRow>({
  name: 'Org',
  tableName: 'orgs',
  columns: {
    id: { type: 'varchar', primary: true },
    slug: { type: 'varchar', unique: true },
    name: { type: 'varchar' },
    externalId: { name: 'external_id', type: 'varchar', nullable: true, unique: true },
    createdAt: { name: 'created_at', type: 'varchar' },
  },
});

export type ApiKeyScope = 'read-only' | 'read-write' | 'admin' | 'ingest';

export interface ApiKeyRow {
  id: string;
  orgId: string;
  name: string;
  scope: ApiKeyScope;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  keyHash: string;
  /** The first 8 characters (`lh_` + 5), enough to recognise a key in a list. */
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export const ApiKeyEntity = new EntitySchema<ApiKeyRow>({
  name: 'ApiKey',
  tableName: 'api_keys',
  columns: {
    id: { type: 'varchar', primary: true },
    orgId: { name: 'org_id', type: 'varchar' },
    name: { type: 'varchar' },
    scope: { type: 'varchar' },
    keyHash: { name: 'key_hash', type: 'varchar', unique: true },
    prefix: { type: 'varchar' },
    createdAt: { name: 'created_at', type: 'varchar' },
    expiresAt: { name: 'expires_at', type: 'varchar', nullable: true },
    revokedAt: { name: 'revoked_at', type: 'varchar', nullable: true },
    lastUsedAt: { name: 'last_used_at', type: 'varchar', nullable: true },
  },
});

export interface EventRow {
  /** Commit-order position in the log; internal, the API shows `id`. */
  seq: number;
  id: string;
  orgId: string;
  type: string;
  apiVersion: string;
  cageId: string | null;
  /** JSON text. */
  data: string;
  createdAt: string;
}

export const EventEntity = new EntitySchema<EventRow>({
  name: 'Event',
  tableName: 'events',
  columns: {
    seq: {
      type: 'integer',
      primary: true,
      generated: 'increment',
      // PostgreSQL returns bigint as a string.
      transformer: { from: (v: unknown) => Number(v), to: (v: unknown) => v },
    },
    id: { type: 'varchar', unique: true },
    orgId: { name: 'org_id', type: 'varchar' },
    type: { type: 'varchar' },
    apiVersion: { name: 'api_version', type: 'varchar' },
    cageId: { name: 'cage_id', type: 'varchar', nullable: true },
    data: { type: 'text' },
    createdAt: { name: 'created_at', type: 'varchar' },
  },
});

export type TrapType = 'file' | 'config' | 'api' | 'page';

export interface TrapRow {
  id: string;
  orgId: string;
  /** null: the trap applies to every site of the org. */
  siteId: string | null;
  name: string;
  path: string;
  type: TrapType;
  description: string;
  /** 1 or 0, as the LobsterHoney API shows it. */
  active: number;
  /** Comma-separated injection channels. */
  injectionFormats: string;
  createdAt: string;
  updatedAt: string;
}

export const TrapEntity = new EntitySchema<TrapRow>({
  name: 'Trap',
  tableName: 'traps',
  columns: {
    id: { type: 'varchar', primary: true },
    orgId: { name: 'org_id', type: 'varchar' },
    siteId: { name: 'site_id', type: 'varchar', nullable: true },
    name: { type: 'varchar' },
    path: { type: 'varchar' },
    type: { type: 'varchar' },
    description: { type: 'varchar' },
    active: { type: 'integer' },
    injectionFormats: { name: 'injection_formats', type: 'varchar' },
    createdAt: { name: 'created_at', type: 'varchar' },
    updatedAt: { name: 'updated_at', type: 'varchar' },
  },
});

export const entities = [OrgEntity, ApiKeyEntity, EventEntity, TrapEntity];
