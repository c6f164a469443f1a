import type { AlertChannel, AlertChannelType, Severity } from '../../types.js';
import { all, type Command, oneOf, requiredFlag, stringFlag } from '../command.js';
import type { Column } from '../output.js';

const TYPES: readonly AlertChannelType[] = ['slack', 'discord', 'webhook'];
const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

const columns: Column<AlertChannel>[] = [
  { header: 'ID', value: (c) => c.id },
  { header: 'NAME', value: (c) => c.name },
  { header: 'TYPE', value: (c) => c.type },
  { header: 'URL', value: (c) => c.url_hint },
  { header: 'MIN SEVERITY', value: (c) => c.min_severity },
  { header: 'ENABLED', value: (c) => (c.enabled ? 'yes' : 'no') },
  { header: 'SITE', value: (c) => c.site ?? 'all' },
];

const fields = (c: AlertChannel): [string, unknown][] => [
  ['id', c.id],
  ['name', c.name],
  ['type', c.type],
  ['url', c.url_hint],
  ['min severity', c.min_severity],
  ['enabled', c.enabled ? 'yes' : 'no'],
  ['site', c.site ?? 'all'],
  ['created', c.created_at],
];

const toggle = (enabled: boolean): Command => ({
  usage: `alerts ${enabled ? 'enable' : 'disable'} ID`,
  summary: enabled ? 'Turn a channel on' : 'Turn a channel off',
  args: ['id'],
  async run({ client, args, out }) {
    const channel = await client().alerts.update(args[0]!, { enabled });
    out.result(channel, () => out.fields(fields(channel)));
  },
});

export const alertCommands: Record<string, Command> = {
  'alerts list': {
    usage: 'alerts list',
    summary: 'Alert channels',
    async run({ client, out }) {
      const channels = await all(client().alerts.list());
      out.result(channels, () => out.table(channels, columns));
    },
  },
  'alerts create': {
    usage:
      'alerts create --name NAME --type slack|discord|webhook --url URL [--min-severity low|medium|high|critical] [--site SITE] [--disabled]',
    summary: 'Add a channel; a webhook’s signing secret is printed this once only',
    options: {
      name: { type: 'string' },
      type: { type: 'string' },
      url: { type: 'string' },
      'min-severity': { type: 'string' },
      site: { type: 'string' },
      disabled: { type: 'boolean' },
    },
    async run({ client, flags, out }) {
      const minSeverity = oneOf(flags, 'min-severity', SEVERITIES);
      const site = stringFlag(flags, 'site');
      const channel = await client().alerts.create({
        name: requiredFlag(flags, 'name'),
        type: oneOf(flags, 'type', TYPES) ?? (requiredFlag(flags, 'type') as AlertChannelType),
        url: requiredFlag(flags, 'url'),
        enabled: flags.disabled !== true,
        ...(minSeverity ? { min_severity: minSeverity } : {}),
        ...(site ? { site } : {}),
      });
      out.result(channel, () => {
        out.fields(fields(channel));
        if (channel.signing_secret) {
          out.note('Signing secret (shown only now):');
          out.line(channel.signing_secret);
        }
      });
    },
  },
  'alerts show': {
    usage: 'alerts show ID',
    summary: 'One channel with its delivery counts',
    args: ['id'],
    async run({ client, args, out }) {
      const c = await client().alerts.get(args[0]!);
      const d = c.deliveries;
      out.result(c, () =>
        out.fields([
          ...fields(c),
          ['deliveries', `${d.delivered} delivered, ${d.pending} pending, ${d.failed} failed`],
        ]),
      );
    },
  },
  'alerts enable': toggle(true),
  'alerts disable': toggle(false),
  'alerts delete': {
    usage: 'alerts delete ID',
    summary: 'Remove a channel',
    args: ['id'],
    async run({ client, args, out }) {
      const deleted = await client().alerts.delete(args[0]!);
      out.result(deleted, () => out.line(`Deleted alert channel ${deleted.id}`));
    },
  },
  'alerts test': {
    usage: 'alerts test ID',
    summary: 'Send a [TEST] message now and report what the receiver said',
    args: ['id'],
    async run({ client, args, out }) {
      const result = await client().alerts.test(args[0]!);
      out.result(result, () =>
        out.line(
          result.delivered
            ? `Delivered (HTTP ${result.response_status})`
            : `Not delivered: ${result.error ?? `HTTP ${result.response_status}`}`,
        ),
      );
      // A test the receiver refused is a failed command, so scripts can check a channel with the exit code.
      return result.delivered ? 0 : 1;
    },
  },
};
