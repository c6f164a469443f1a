import type { LobsterEvent } from '../../types.js';
import { type Command, type CommandContext, positiveInt, stringFlag, take } from '../command.js';
import type { Column } from '../output.js';

const columns: Column<LobsterEvent>[] = [
  { header: 'CREATED', value: (e) => e.created_at },
  { header: 'TYPE', value: (e) => e.type },
  { header: 'ID', value: (e) => e.id },
  { header: 'DATA', value: (e) => e.data },
];

function printEvent({ out }: CommandContext, e: LobsterEvent): void {
  if (out.json) {
    out.jsonLine(e);
    return;
  }
  const data = JSON.stringify(e.data);
  out.line(
    `${e.created_at}  ${e.type.padEnd(18)}  ${e.id}  ${data.length > 100 ? `${data.slice(0, 99)}…` : data}`,
  );
}

export const eventCommands: Record<string, Command> = {
  'events list': {
    usage: 'events list [--type TYPE|PREFIX.] [--since ISO] [--until ISO] [--limit N (default 20)]',
    summary: 'The event log, newest first',
    options: {
      type: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
    },
    async run({ client, flags, out }) {
      const limit = positiveInt(flags, 'limit') ?? 20;
      const [type, since, until] = [
        stringFlag(flags, 'type'),
        stringFlag(flags, 'since'),
        stringFlag(flags, 'until'),
      ];
      const events = await take(
        client().events.list({
          limit: Math.min(limit, 100),
          ...(type ? { type } : {}),
          ...(since ? { since } : {}),
          ...(until ? { until } : {}),
        }),
        limit,
      );
      out.result(events, () => out.table(events, columns));
    },
  },
  'events tail': {
    usage: 'events tail [--type TYPE|PREFIX.] [--after EVENT_ID] [--poll [--interval MS]]',
    summary:
      'Follow new events until interrupted (SSE; --poll to poll the list instead); --json prints one line each',
    options: {
      type: { type: 'string' },
      after: { type: 'string' },
      poll: { type: 'boolean' },
      interval: { type: 'string' },
    },
    async run(ctx) {
      const { client, flags, signal, out } = ctx;
      const type = stringFlag(flags, 'type');
      const after = stringFlag(flags, 'after');
      const intervalMs = positiveInt(flags, 'interval');
      const events = flags.poll
        ? client().events.poll({
            signal,
            ...(type ? { type } : {}),
            ...(after ? { cursor: after } : {}),
            ...(intervalMs ? { intervalMs } : {}),
          })
        : client().events.stream({
            signal,
            ...(type ? { type } : {}),
            ...(after ? { lastEventId: after } : {}),
          });
      out.note('Waiting for events (Ctrl-C to stop)…');
      for await (const e of events) printEvent(ctx, e);
    },
  },
};
