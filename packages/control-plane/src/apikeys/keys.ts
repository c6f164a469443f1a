import type { EntityManager } from 'typeorm';
import { randomBase62, sha256Hex } from '../crypto.js';
import { ApiKeyEntity, type ApiKeyRow, type ApiKeyScope } from '../db/entities.js';
import { appendEvent } from '../events/log.js';
import { NotFound } from '../http/errors.js';

export const API_KEY_PREFIX = 'lh_';
export const API_KEY_SHAPE = /^lh_[0-9A-Za-z]{32}$/;
export const SCOPES = [
  'read-only',
  'read-write',
  'admin',
  'ingest',
] as const satisfies readonly ApiKeyScope[];

export class ApiKeyNotFound extends NotFound {
  constructor(id: string) {
    super('APIKEY_NOT_FOUND', `API key with id '${id}' not found`);
  }
}

/** An API key as the API shows it: never the key or its hash, only the first 8 characters. */
export interface PublicApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export function toPublicApiKey(row: ApiKeyRow): PublicApiKey {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
  };
}

export interface NewApiKey {
  orgId: string;
  name: string;
  scope: ApiKeyScope;
  expiresAt?: string | null;
}

/** Creates a key inside the caller's transaction and returns the full secret, the only time it exists. */
export async function createApiKey(
  manager: EntityManager,
  input: NewApiKey,
  nowMs: number,
): Promise<{ row: ApiKeyRow; key: string }> {
  const key = `${API_KEY_PREFIX}${randomBase62(32)}`;
  const row = await manager.save(
    ApiKeyEntity,
    manager.create(ApiKeyEntity, {
      id: `key_${randomBase62(20)}`,
      orgId: input.orgId,
      name: input.name,
      scope: input.scope,
      keyHash: sha256Hex(key),
      prefix: key.slice(0, 8),
      createdAt: new Date(nowMs).toISOString(),
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    }),
  );
  const { id, name, scope, prefix, expiresAt } = row;
  await appendEvent(
    manager,
    { orgId: input.orgId, type: 'apikey.created', data: { id, name, scope, prefix, expiresAt } },
    nowMs,
  );
  return { row, key };
}

/** Revokes a live key of this org; another org's key, or one already revoked, is not found. */
export async function revokeApiKey(
  manager: EntityManager,
  orgId: string,
  id: string,
  nowMs: number,
): Promise<ApiKeyRow> {
  const row = await manager.findOneBy(ApiKeyEntity, { id, orgId });
  if (!row || row.revokedAt) throw new ApiKeyNotFound(id);
  row.revokedAt = new Date(nowMs).toISOString();
  await manager.save(ApiKeyEntity, row);
  await appendEvent(
    manager,
    { orgId, type: 'apikey.revoked', data: { id, name: row.name, scope: row.scope, prefix: row.prefix } },
    nowMs,
  );
  return row;
}
