import { plantJson } from '../embed/plant.js';
import { fakeUsers, hostOf } from './fake.js';
import { INTROSPECTION } from './graphql-schema.js';
import type { BuiltinTrap } from './types.js';

/**
 * A GraphQL endpoint that answers introspection (the first thing a scanner asks) and returns data only
 * to canary keys. Tokens ride in `extensions`, where GraphQL allows arbitrary metadata.
 */
export const graphqlTrap: BuiltinTrap = {
  key: 'graphql',
  name: 'GraphQL Trap',
  path: '/graphql',
  type: 'api',
  description: 'Honeypot GraphQL endpoint with introspection enabled',
  injectionFormats: ['json-meta', 'zero-width', 'prose'],
  methods: ['GET', 'POST'],
  credentials: false,
  render(ctx) {
    const raw = ctx.method === 'POST' ? ctx.fields.query : ctx.query.get('query');
    const query = typeof raw === 'string' ? raw.slice(0, 16_384) : '';
    const extensions = plantJson(ctx.plant, ctx.trap.injectionFormats);
    const json = (status: number, body: Record<string, unknown>) => ({
      status,
      contentType: 'application/graphql-response+json; charset=utf-8',
      body: JSON.stringify({ ...body, extensions }),
    });
    if (!query.trim()) return json(400, { errors: [{ message: 'Must provide query string.' }] });
    if (/__schema|__type\b/.test(query)) return json(200, { data: INTROSPECTION });
    if (!ctx.credential) {
      return json(200, {
        data: null,
        errors: [
          {
            message: 'Not authenticated: provide an API key as a Bearer token.',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
    }
    const users = fakeUsers(5, hostOf(ctx.origin)).map((u) => ({ ...u, isAdmin: u.role === 'admin' }));
    return json(200, { data: { users, me: users[0] } });
  },
};
