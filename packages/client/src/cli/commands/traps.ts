import type { Trap, TrapType } from '../../types.js';
import { all, type Command, oneOf, requiredFlag, stringFlag } from '../command.js';
import type { Column } from '../output.js';

const TYPES: readonly TrapType[] = ['file', 'config', 'api', 'page'];

const columns: Column<Trap>[] = [
  { header: 'ID', value: (t) => t.id },
  { header: 'NAME', value: (t) => t.name },
  { header: 'PATH', value: (t) => t.path },
  { header: 'TYPE', value: (t) => t.type },
  { header: 'ACTIVE', value: (t) => (t.active ? 'yes' : 'no') },
  { header: 'SITE', value: (t) => t.site_id ?? 'all' },
];

const show = (t: Trap): [string, unknown][] => [
  ['id', t.id],
  ['name', t.name],
  ['path', t.path],
  ['type', t.type],
  ['active', t.active ? 'yes' : 'no'],
  ['description', t.description],
  ['injection formats', t.injection_formats],
  ['site', t.site_id ?? 'all'],
  ['created', t.created_at],
  ['updated', t.updated_at],
];

/** enable/disable/show share a shape: one id in, the trap out. */
const oneTrap = (usage: string, summary: string, act: 'get' | 'enable' | 'disable'): Command => ({
  usage,
  summary,
  args: ['id'],
  async run({ client, args, out }) {
    const trap = await client().traps[act](args[0]!);
    out.result(trap, () => out.fields(show(trap)));
  },
});

export const trapCommands: Record<string, Command> = {
  'traps list': {
    usage: 'traps list [--site SITE]',
    summary: 'The org’s traps (with --site, those that apply to that site)',
    options: { site: { type: 'string' } },
    async run({ client, flags, out }) {
      const site = stringFlag(flags, 'site');
      const traps = await all(client().traps.list(site ? { site } : {}));
      out.result(traps, () => out.table(traps, columns));
    },
  },
  'traps create': {
    usage:
      'traps create --name NAME --path /PATH --type file|config|api|page [--description TEXT] [--site SITE] [--formats LIST] [--inactive]',
    summary: 'Create a trap (active unless --inactive)',
    options: {
      name: { type: 'string' },
      path: { type: 'string' },
      type: { type: 'string' },
      description: { type: 'string' },
      site: { type: 'string' },
      formats: { type: 'string' },
      inactive: { type: 'boolean' },
    },
    async run({ client, flags, out }) {
      const type = oneOf(flags, 'type', TYPES);
      const description = stringFlag(flags, 'description');
      const site = stringFlag(flags, 'site');
      const formats = stringFlag(flags, 'formats');
      const trap = await client().traps.create({
        name: requiredFlag(flags, 'name'),
        path: requiredFlag(flags, 'path'),
        type: type ?? (requiredFlag(flags, 'type') as TrapType),
        active: flags.inactive !== true,
        ...(description !== undefined ? { description } : {}),
        ...(site !== undefined ? { site_id: site } : {}),
        ...(formats !== undefined ? { injection_formats: formats } : {}),
      });
      out.result(trap, () => out.fields(show(trap)));
    },
  },
  'traps show': oneTrap('traps show ID', 'One trap', 'get'),
  'traps enable': oneTrap('traps enable ID', 'Turn a trap on', 'enable'),
  'traps disable': oneTrap('traps disable ID', 'Turn a trap off', 'disable'),
  'traps delete': {
    usage: 'traps delete ID',
    summary: 'Delete a trap (its session data stays)',
    args: ['id'],
    async run({ client, args, out }) {
      const deleted = await client().traps.delete(args[0]!);
      out.result(deleted, () => out.line(`Deleted trap ${deleted.id}`));
    },
  },
};
