import type Router from '@koa/router';
import type { Principal } from './principal.js';

/**
 * `GET /v1/whoami`: which org and scope a credential has. Any valid credential may ask (ingest keys too),
 * so `lobster login` and integrations can check a key before they use it.
 */
export function whoamiRoutes(router: Router): void {
  router.get('/v1/whoami', (ctx) => {
    const { orgId, scope, kind, id } = ctx.state.principal as Principal;
    ctx.body = { orgId, scope, credential: kind, ...(kind === 'apikey' ? { keyId: id } : { subject: id }) };
  });
}
