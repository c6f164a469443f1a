import type { ApiKey, ApiKeyScope } from '../../types.js';
import { all, type Command, oneOf, positiveInt, requiredFlag, stringFlag } from '../command.js';
import type { Column } from '../output.js';

const SCOPES: readonly ApiKeyScope[] = ['read-only', 'read-write', 'admin', 'ingest'];

const columns: Column<ApiKey>[] = [
  { header: 'ID', value: (k) => k.id },
  { header: 'NAME', value: (k) => k.name },
  { header: 'SCOPE', value: (k) => k.scope },
  { header: 'PREFIX', value: (k) => k.prefix },
  { header: 'CREATED', value: (k) => k.createdAt },
  { header: 'EXPIRES', value: (k) => k.expiresAt },
  { header: 'LAST USED', value: (k) => k.lastUsedAt },
];

export const apikeyCommands: Record<string, Command> = {
  'apikeys list': {
    usage: 'apikeys list [--page-size N]',
    summary: 'Every API key of the org, newest first (admin scope)',
    options: { 'page-size': { type: 'string' } },
    async run({ client, flags, out }) {
      const limit = positiveInt(flags, 'page-size');
      const keys = await all(client().apiKeys.list(limit ? { limit } : {}));
      out.result(keys, () => out.table(keys, columns));
    },
  },
  'apikeys create': {
    usage: 'apikeys create --name NAME [--scope read-only|read-write|admin|ingest] [--expires-at ISO]',
    summary: 'Create a key (default scope read-only); the key is printed this once only',
    options: { name: { type: 'string' }, scope: { type: 'string' }, 'expires-at': { type: 'string' } },
    async run({ client, flags, out }) {
      const expiresAt = stringFlag(flags, 'expires-at');
      const created = await client().apiKeys.create({
        name: requiredFlag(flags, 'name'),
        scope: oneOf(flags, 'scope', SCOPES) ?? 'read-only',
        ...(expiresAt ? { expiresAt } : {}),
      });
      out.result(created, () => {
        out.note(`Created ${created.scope} key ${created.id} (${created.name}). It is shown only now:`);
        out.line(created.key);
      });
    },
  },
  'apikeys revoke': {
    usage: 'apikeys revoke ID',
    summary: 'Revoke a key; it stops working at once',
    args: ['id'],
    async run({ client, args, out }) {
      const revoked = await client().apiKeys.revoke(args[0]!);
      out.result(revoked, () => out.line(`Revoked ${revoked.id} (${revoked.name})`));
    },
  },
};
