import type Router from '@koa/router';
import { INJECTION_FORMATS, TRAP_TYPES } from '@lobster/honey-middleware';
import { z } from 'zod';
import { requirePermission } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { TrapEntity } from '../db/entities.js';
import { honeyOk } from '../http/envelope.js';
import { parseBody, parseQuery } from '../http/validate.js';
import type { Services } from '../services.js';
import { createTrap, deleteTrap, TrapNotFound, toPublicTrap, updateTrap } from './traps.js';

/** A path a site could serve: absolute, no query, no dot segments, no whitespace or control characters. */
const trapPath = z
  .string()
  .max(512)
  .regex(/^\/[^\s?#\\]*$/, 'must start with "/" and contain no whitespace, "?", "#" or "\\"')
  .refine(
    (p) => !p.split('/').some((seg) => seg === '..' || seg === '.'),
    'must not contain "." or ".." segments',
  );

/** "html-comment,prose" — known channels only, each once; stored and shown in this canonical order. */
const injectionFormats = z
  .string()
  .max(200)
  .transform((s) =>
    s
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
  )
  .refine((fs) => fs.every((f) => (INJECTION_FORMATS as readonly string[]).includes(f)), {
    message: `must be a comma-separated list of ${INJECTION_FORMATS.join(', ')}`,
  })
  .transform((fs) => INJECTION_FORMATS.filter((f) => fs.includes(f)).join(','));

/** `active` is 1/0 in the seed; true/false are accepted too. */
const active = z.union([z.literal(0), z.literal(1), z.boolean()]).transform((v) => v === true || v === 1);
const siteId = z.string().trim().min(1).max(253).nullable();

const createBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    path: trapPath,
    type: z.enum(TRAP_TYPES as readonly ['file', 'config', 'api', 'page']),
    description: z.string().max(500).default(''),
    active: active.default(true),
    injection_formats: injectionFormats.default('html-comment,json-meta,prose'),
    site_id: siteId.default(null),
  })
  .strict();

const patchBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(500).optional(),
    active: active.optional(),
    injection_formats: injectionFormats.optional(),
    site_id: siteId.optional(),
  })
  .strict()
  .refine(
    (b) => Object.keys(b).length > 0,
    'nothing to update: give name, description, active, injection_formats or site_id',
  );

const listQuery = z.object({ site: z.string().max(253).optional() }).strict();

/** `/dashboard/api/traps`: the seed's trap endpoints, plus GET of one trap. */
export function trapRoutes(router: Router, { db, clock }: Services): void {
  const read = requirePermission('read');
  const write = requirePermission('write');
  const orgOf = (ctx: { state: { principal?: Principal } }) => ctx.state.principal!.orgId;

  router.get('/dashboard/api/traps', read, async (ctx) => {
    const { site } = parseQuery(ctx, listQuery);
    const query = db.manager
      .createQueryBuilder(TrapEntity, 't')
      .where('t.org_id = :orgId', { orgId: orgOf(ctx) })
      .orderBy('t.created_at', 'ASC')
      .addOrderBy('t.path', 'ASC');
    if (site) query.andWhere('(t.site_id IS NULL OR t.site_id = :site)', { site });
    honeyOk(ctx, (await query.getMany()).map(toPublicTrap));
  });

  router.post('/dashboard/api/traps', write, async (ctx) => {
    const body = await parseBody(ctx, createBody);
    const row = await db.transaction((m) =>
      createTrap(
        m,
        orgOf(ctx),
        {
          name: body.name,
          path: body.path,
          type: body.type,
          description: body.description,
          active: body.active,
          injectionFormats: body.injection_formats,
          siteId: body.site_id,
        },
        clock(),
      ),
    );
    ctx.set('Location', `/dashboard/api/traps/${row.id}`);
    honeyOk(ctx, toPublicTrap(row), 201);
  });

  router.get('/dashboard/api/traps/:id', read, async (ctx) => {
    const row = await db.manager.findOneBy(TrapEntity, { id: ctx.params.id!, orgId: orgOf(ctx) });
    if (!row) throw new TrapNotFound(ctx.params.id!);
    honeyOk(ctx, toPublicTrap(row));
  });

  router.patch('/dashboard/api/traps/:id', write, async (ctx) => {
    const body = await parseBody(ctx, patchBody);
    const changes = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.active !== undefined ? { active: body.active } : {}),
      ...(body.injection_formats !== undefined ? { injectionFormats: body.injection_formats } : {}),
      ...(body.site_id !== undefined ? { siteId: body.site_id } : {}),
    };
    const row = await db.transaction((m) => updateTrap(m, orgOf(ctx), ctx.params.id!, changes, clock()));
    honeyOk(ctx, toPublicTrap(row));
  });

  router.delete('/dashboard/api/traps/:id', write, async (ctx) => {
    const row = await db.transaction((m) => deleteTrap(m, orgOf(ctx), ctx.params.id!, clock()));
    honeyOk(ctx, { id: row.id, deleted: true });
  });
}
