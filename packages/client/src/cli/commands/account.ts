import { LobsterClient } from '../../client.js';
import { type Command, stringFlag, UsageError } from '../command.js';
import { writeConfig } from '../config.js';

async function readKey(
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
  prompt: () => void,
): Promise<string> {
  if (stdin.isTTY) prompt();
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    // Interactive: the first line is the key; piped: the whole input.
    if (stdin.isTTY && text.includes('\n')) break;
  }
  return text.trim();
}

export const accountCommands: Record<string, Command> = {
  login: {
    usage: 'login [--url URL]   (the key is read from stdin, or from LOBSTER_API_KEY)',
    summary: 'Check a key with the API and save it (and the URL) to the config file, readable by you only',
    options: { url: { type: 'string' } },
    async run({ flags, settings, stdin, out }) {
      const fromEnv = settings.apiKeyFrom === 'env' ? settings.apiKey : undefined;
      const apiKey =
        fromEnv ?? (await readKey(stdin, () => out.prompt('Paste your API key (lh_…) and press Enter: ')));
      if (!apiKey) throw new UsageError('no API key given: pipe it on stdin or set LOBSTER_API_KEY');
      const apiUrl = stringFlag(flags, 'url') ?? settings.apiUrl;
      const me = await new LobsterClient({ apiKey, baseUrl: apiUrl }).whoami();
      const remembersUrl = flags.url !== undefined || settings.apiUrlFromUser;
      await writeConfig(settings.configPath, { apiKey, ...(remembersUrl ? { apiUrl } : {}) });
      const result = { orgId: me.orgId, scope: me.scope, apiUrl, configPath: settings.configPath };
      out.result(result, () =>
        out.line(`Logged in to org ${me.orgId} with a ${me.scope} key; saved to ${settings.configPath}`),
      );
      return 0;
    },
  },
  whoami: {
    usage: 'whoami',
    summary: 'The org and scope of the key in use',
    async run({ client, settings, out }) {
      const me = await client().whoami();
      out.result({ ...me, apiUrl: settings.apiUrl }, () =>
        out.fields([
          ['org', me.orgId],
          ['scope', me.scope],
          ['credential', me.credential],
          ['key id', me.keyId ?? me.subject],
          ['api url', settings.apiUrl],
        ]),
      );
      return 0;
    },
  },
  analytics: {
    usage: 'analytics [--site SITE]',
    summary: 'Headline numbers for the last 24 hours and sessions per severity',
    options: { site: { type: 'string' } },
    async run({ client, flags, out }) {
      const site = stringFlag(flags, 'site');
      const params = site ? { site } : {};
      const [overview, severity] = await Promise.all([
        client().analytics.overview(params),
        client().analytics.severity(params),
      ]);
      out.result({ overview, severity }, () =>
        out.fields([
          ['hits (24h)', overview.totalHits24h],
          ['agents detected', overview.agentsDetected],
          ['tripwires fired', overview.tripwiresFired],
          ['prompts captured', overview.promptsCaptured],
          ['active traps', overview.activeTraps],
          [
            'sessions by severity',
            `critical ${severity.critical}, high ${severity.high}, medium ${severity.medium}, low ${severity.low}`,
          ],
        ]),
      );
      return 0;
    },
  },
};
