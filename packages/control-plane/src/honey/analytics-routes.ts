import type Router from '@koa/router';
import { z } from 'zod';
import { requirePermission } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { honeyOk } from '../http/envelope.js';
import { parseQuery } from '../http/validate.js';
import type { Services } from '../services.js';
import { hitsPerTrap, overview, PERIODS, type Period, severityCounts, timeline } from './analytics.js';

const periods = Object.keys(PERIODS) as [Period, ...Period[]];
const siteOnly = z.object({ site: z.string().max(253).optional() }).strict();
const withPeriod = (fallback?: Period) =>
  z
    .object({
      site: z.string().max(253).optional(),
      period: fallback ? z.enum(periods).default(fallback) : z.enum(periods).optional(),
    })
    .strict();

/** `/dashboard/api/analytics/*`: overview, severity, timeline (the seed's) and hits per trap. */
export function analyticsRoutes(router: Router, { db, clock }: Services): void {
  const read = requirePermission('read');
  const org = (ctx: { state: { principal?: Principal } }) => ctx.state.principal!.orgId;

  router.get('/dashboard/api/analytics/overview', read, async (ctx) => {
    const { site } = parseQuery(ctx, siteOnly);
    honeyOk(ctx, await overview(db, org(ctx), site, clock()));
  });
  router.get('/dashboard/api/analytics/severity', read, async (ctx) => {
    const { site, period } = parseQuery(ctx, withPeriod());
    honeyOk(ctx, await severityCounts(db, org(ctx), site, period, clock()));
  });
  router.get('/dashboard/api/analytics/timeline', read, async (ctx) => {
    const { site } = parseQuery(ctx, siteOnly);
    honeyOk(ctx, await timeline(db, org(ctx), site, clock()));
  });
  router.get('/dashboard/api/analytics/traps', read, async (ctx) => {
    const { site, period } = parseQuery(ctx, withPeriod('24h'));
    honeyOk(ctx, await hitsPerTrap(db, org(ctx), site, period ?? '24h', clock()));
  });
}
