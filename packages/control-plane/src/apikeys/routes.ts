import type Router from '@koa/router';
import { Brackets } from 'typeorm';
import { z } from 'zod';
import { requirePermission } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { ApiKeyEntity } from '../db/entities.js';
import { ValidationFailed } from '../http/errors.js';
import { cursorQuery, decodeCursor, toPage } from '../http/pagination.js';
import { parseBody, parseQuery } from '../http/validate.js';
import type { Services } from '../services.js';
import { ApiKeyNotFound, createApiKey, revokeApiKey, SCOPES, toPublicApiKey } from './keys.js';

export const createApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scope: z.enum(SCOPES),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

/** `/v1/apikeys`: list, create (the key is in this response only), get, revoke. Admin scope only. */
export function apiKeyRoutes(router: Router, { db, clock, apiKeys }: Services): void {
  const admin = requirePermission('admin');

  router.get('/v1/apikeys', admin, async (ctx) => {
    const { limit, cursor } = parseQuery(ctx, cursorQuery);
    const { orgId } = ctx.state.principal as Principal;
    const query = db.manager
      .createQueryBuilder(ApiKeyEntity, 'k')
      .where('k.org_id = :orgId AND k.revoked_at IS NULL', { orgId })
      .orderBy('k.created_at', 'DESC')
      .addOrderBy('k.id', 'DESC')
      .take(limit + 1);
    if (cursor) {
      const after = decodeCursor(cursor);
      query.andWhere(
        new Brackets((w) =>
          w.where('k.created_at < :c', { c: after.createdAt }).orWhere('k.created_at = :c AND k.id < :i', {
            i: after.id,
          }),
        ),
      );
    }
    ctx.body = toPage(await query.getMany(), limit, toPublicApiKey);
  });

  router.post('/v1/apikeys', admin, async (ctx) => {
    const body = await parseBody(ctx, createApiKeyBody);
    const now = clock();
    const expiresAt = body.expiresAt ? new Date(body.expiresAt).toISOString() : null;
    if (expiresAt && Date.parse(expiresAt) <= now)
      throw new ValidationFailed('expiresAt: must be in the future');
    const { orgId } = ctx.state.principal as Principal;
    const { row, key } = await db.transaction((m) =>
      createApiKey(m, { orgId, name: body.name, scope: body.scope, expiresAt }, now),
    );
    ctx.status = 201;
    ctx.set('Location', `/v1/apikeys/${row.id}`);
    ctx.body = { ...toPublicApiKey(row), key };
  });

  router.get('/v1/apikeys/:id', admin, async (ctx) => {
    const { orgId } = ctx.state.principal as Principal;
    const row = await db.manager.findOneBy(ApiKeyEntity, { id: ctx.params.id!, orgId });
    if (!row || row.revokedAt) throw new ApiKeyNotFound(ctx.params.id!);
    ctx.body = toPublicApiKey(row);
  });

  router.delete('/v1/apikeys/:id', admin, async (ctx) => {
    const { orgId } = ctx.state.principal as Principal;
    const row = await db.transaction((m) => revokeApiKey(m, orgId, ctx.params.id!, clock()));
    apiKeys.evict(row.keyHash);
    ctx.body = { ...toPublicApiKey(row), revokedAt: row.revokedAt };
  });
}
