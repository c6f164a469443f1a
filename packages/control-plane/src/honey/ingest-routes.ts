import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import { z } from 'zod';
import { requirePermission } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { TrapEntity } from '../db/entities.js';
import { readJsonBody } from '../http/body.js';
import { honeyOk } from '../http/envelope.js';
import { parseQuery, parseWith } from '../http/validate.js';
import type { Services } from '../services.js';
import { ingest, validateHits } from './ingest.js';
import { ingestBatch } from './ingest-schema.js';

const configQuery = z.object({ site: z.string().max(253).optional() }).strict();

/** `POST /api/v1/ingest` and `GET /api/v1/ingest/config`: what a website's middleware talks to. */
export function ingestRoutes(router: Router, { db, clock }: Services): void {
  const ingestScope = requirePermission('ingest');

  router.post('/api/v1/ingest', ingestScope, async (ctx) => {
    const { json } = await readJsonBody(ctx);
    const batch = parseWith(ingestBatch, json ?? {}, 'body');
    const now = clock();
    const hits = validateHits(batch.site, batch.hits, now);
    const { orgId } = ctx.state.principal as Principal;
    honeyOk(ctx, await ingest(db, orgId, batch.site, hits, now), 202);
  });

  router.get('/api/v1/ingest/config', ingestScope, async (ctx) => {
    const { site } = parseQuery(ctx, configQuery);
    const { orgId } = ctx.state.principal as Principal;
    const query = db.manager
      .createQueryBuilder(TrapEntity, 't')
      .where('t.org_id = :orgId', { orgId })
      .orderBy('t.created_at', 'ASC')
      .addOrderBy('t.path', 'ASC');
    if (site) query.andWhere('(t.site_id IS NULL OR t.site_id = :site)', { site });
    const traps = (await query.getMany()).map((t) => ({
      id: t.id,
      name: t.name,
      path: t.path,
      type: t.type,
      description: t.description,
      active: t.active,
      injection_formats: t.injectionFormats,
      site_id: t.siteId,
    }));
    const etag = `"${createHash('sha256').update(JSON.stringify(traps)).digest('base64url').slice(0, 27)}"`;
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', 'private, no-cache');
    if (ctx.get('If-None-Match') === etag) {
      ctx.status = 304;
      return;
    }
    honeyOk(ctx, { traps });
  });
}
