import type { Classification, SessionSummary, Severity } from '../../types.js';
import { type Command, oneOf, positiveInt, stringFlag, take } from '../command.js';
import type { Column } from '../output.js';

const CLASSIFICATIONS: readonly Classification[] = ['HUMAN', 'BOT', 'AI_AGENT', 'AI_AGENT_MALICIOUS'];
const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

const columns: Column<SessionSummary>[] = [
  { header: 'ID', value: (s) => s.id },
  { header: 'LAST SEEN', value: (s) => s.last_seen },
  { header: 'CLASSIFICATION', value: (s) => s.classification },
  { header: 'SEVERITY', value: (s) => s.severity },
  { header: 'SCORE', value: (s) => s.score },
  { header: 'HITS', value: (s) => s.hit_count },
  { header: 'SOURCE IP', value: (s) => s.source_ip },
  { header: 'SITE', value: (s) => s.site },
];

export const sessionCommands: Record<string, Command> = {
  'sessions list': {
    usage:
      'sessions list [--classification C] [--severity S] [--site SITE] [--from ISO] [--to ISO] [--limit N (default 20)]',
    summary: 'Sessions, most recently active first',
    options: {
      classification: { type: 'string' },
      severity: { type: 'string' },
      site: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
    },
    async run({ client, flags, out }) {
      const limit = positiveInt(flags, 'limit') ?? 20;
      const classification = oneOf(flags, 'classification', CLASSIFICATIONS);
      const severity = oneOf(flags, 'severity', SEVERITIES);
      const [site, from, to] = [
        stringFlag(flags, 'site'),
        stringFlag(flags, 'from'),
        stringFlag(flags, 'to'),
      ];
      const sessions = await take(
        client().sessions.list({
          limit: Math.min(limit, 100),
          ...(classification ? { classification } : {}),
          ...(severity ? { severity } : {}),
          ...(site ? { site } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
        }),
        limit,
      );
      out.result(sessions, () => out.table(sessions, columns));
    },
  },
  'sessions show': {
    usage: 'sessions show ID',
    summary: 'One session: signals, extracted data, hit timeline',
    args: ['id'],
    async run({ client, args, out }) {
      const s = await client().sessions.get(args[0]!);
      out.result(s, () => {
        out.fields([
          ['id', s.id],
          ['classification', s.classification],
          ['severity', s.severity],
          ['score', s.score],
          ['confidence', `${s.confidence}%`],
          ['site', s.site],
          ['source ips', s.source_ips],
          ['user agent', s.user_agent],
          ['first seen', s.first_seen],
          ['last seen', s.last_seen],
          ['hits', s.hits_total],
          ['model', s.extracted.model],
          ['operator', s.extracted.operator],
          ['system prompt', s.extracted.system_prompt],
        ]);
        out.line();
        out.table(s.signals, [
          { header: 'SIGNAL', value: (g) => g.signal },
          { header: 'KIND', value: (g) => g.kind },
          { header: 'POINTS', value: (g) => g.points },
          { header: 'CONFIDENCE SHARE', value: (g) => g.confidence_share },
        ]);
        out.line();
        out.table(s.hits, [
          { header: 'TIME', value: (h) => h.ts },
          { header: 'TYPE', value: (h) => h.type },
          { header: 'METHOD', value: (h) => h.method },
          { header: 'PATH', value: (h) => h.path },
          { header: 'IP', value: (h) => h.ip },
        ]);
      });
    },
  },
};
