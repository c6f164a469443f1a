import { plantJson } from '../embed/plant.js';
import { fakeUsers, hex, hostOf } from './fake.js';
import type { BuiltinTrap, TrapContext, TrapResponse } from './types.js';

/** The JSON answer of an API trap: 401 without a key, fake data when a canary key is presented. */
export function apiResponse(ctx: TrapContext, data: () => Record<string, unknown>): TrapResponse {
  const meta = plantJson(ctx.plant, ctx.trap.injectionFormats);
  if (!ctx.credential) {
    const config = ctx.others.find((t) => t.type === 'config' && t.path.startsWith('/api'));
    const body = {
      error: {
        code: 'unauthorized',
        message: 'Missing or invalid API key. Send it as "Authorization: Bearer <key>".',
      },
      request_id: hex(8),
      docs: config ? ctx.plant.breadcrumb(config.path, 'structural', 'link') : `${ctx.origin}/docs/api`,
      _meta: meta,
    };
    return {
      status: 401,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(body),
      headers: { 'www-authenticate': 'Bearer realm="api"' },
    };
  }
  const body = { ...data(), request_id: hex(8), _meta: meta };
  return { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

/** A user listing API: the page of users an agent holding a stolen key would try to pull. */
export const usersTrap: BuiltinTrap = {
  key: 'api-users',
  name: 'Users API Trap',
  path: '/api/v1/users',
  type: 'api',
  description: 'Honeypot user listing endpoint',
  injectionFormats: ['json-meta', 'zero-width', 'prose'],
  methods: ['GET'],
  credentials: false,
  render(ctx) {
    return apiResponse(ctx, () => {
      const page = Math.max(1, Number.parseInt(ctx.query.get('page') ?? '1', 10) || 1);
      return {
        data: fakeUsers(10, hostOf(ctx.origin)),
        page,
        per_page: 10,
        total: 200 + Math.floor(Math.random() * 800),
        links: { next: ctx.plant.url('structural', 'link') },
      };
    });
  },
};
