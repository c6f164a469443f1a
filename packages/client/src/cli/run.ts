import { parseArgs } from 'node:util';
import { LobsterClient } from '../client.js';
import { VERSION } from '../version.js';
import { type Command, type CommandContext, UsageError } from './command.js';
import { accountCommands } from './commands/account.js';
import { alertCommands } from './commands/alerts.js';
import { apikeyCommands } from './commands/apikeys.js';
import { eventCommands } from './commands/events.js';
import { sessionCommands } from './commands/sessions.js';
import { trapCommands } from './commands/traps.js';
import { configPath, DEFAULT_API_URL, readConfig } from './config.js';
import { Output } from './output.js';

export const COMMANDS: Record<string, Command> = {
  ...accountCommands,
  ...apikeyCommands,
  ...trapCommands,
  ...sessionCommands,
  ...eventCommands,
  ...alertCommands,
};

/** Flags every command takes, wherever they appear. */
const GLOBAL = new Set(['--json', '--help', '-h', '--version']);

export interface RunIo {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  signal: AbortSignal;
}

function help(out: Output): void {
  out.line(`lobster ${VERSION}: the LobsterHoney API from the command line

Usage: lobster <command> [options] [--json]
`);
  const width = Math.max(
    ...Object.values(COMMANDS).map((c) => c.usage.split(' ').slice(0, 2).join(' ').length),
  );
  for (const [name, command] of Object.entries(COMMANDS))
    out.line(`  ${name.padEnd(width)}  ${command.summary}`);
  out.line(`
Every command takes --json (machine-readable output) and --help.
The key comes from LOBSTER_API_KEY or the file "lobster login" writes; the URL from LOBSTER_API_URL,
that file, or ${DEFAULT_API_URL}. Exit codes: 0 ok, 1 API or runtime error, 2 usage error.`);
}

/** The command named by the leading words: `traps list`, or a one-word command such as `whoami`. */
function findCommand(words: string[]): { name: string; command: Command; rest: string[] } {
  const [first, second] = words;
  if (first === undefined) throw new UsageError('no command given (see lobster --help)');
  if (second !== undefined && COMMANDS[`${first} ${second}`])
    return { name: `${first} ${second}`, command: COMMANDS[`${first} ${second}`]!, rest: words.slice(2) };
  if (COMMANDS[first]) return { name: first, command: COMMANDS[first], rest: words.slice(1) };
  const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${first} `));
  if (group.length > 0) {
    const actions = group.map((n) => n.split(' ')[1]).join('|');
    throw new UsageError(
      second === undefined
        ? `"${first}" needs a subcommand: ${actions}`
        : `unknown subcommand "${first} ${second}"; use ${actions}`,
    );
  }
  throw new UsageError(`unknown command "${first}" (see lobster --help)`);
}

/**
 * Runs one CLI invocation and resolves with its exit code: 0 ok, 1 an API or runtime error, 2 a usage
 * error. Output goes to `io`; nothing here touches `process`, so the entry point owns the environment.
 */
export async function run(argv: string[], io: RunIo): Promise<number> {
  const json = argv.includes('--json');
  const out = new Output(json, io.stdout, io.stderr);
  const words = argv.filter((a) => !GLOBAL.has(a));
  try {
    if (argv.includes('--version')) {
      out.line(`lobster ${VERSION}`);
      return 0;
    }
    if (words.length === 0 || words[0] === 'help') {
      help(out);
      return words.length === 0 && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
    }
    const { command, rest } = findCommand(words);
    if (argv.includes('--help') || argv.includes('-h')) {
      out.line(`Usage: lobster ${command.usage}\n\n${command.summary}.`);
      return 0;
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: command.options ?? {},
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw new UsageError(`${(err as Error).message.split(/\.\s/)[0]} (usage: lobster ${command.usage})`);
    }
    const expected = command.args ?? [];
    if (parsed.positionals.length !== expected.length) {
      const detail =
        parsed.positionals.length < expected.length
          ? `missing ${expected.slice(parsed.positionals.length).join(', ')}`
          : `unexpected argument "${parsed.positionals[expected.length]}"`;
      throw new UsageError(`${detail} (usage: lobster ${command.usage})`);
    }
    const ctx = await context(io, out, parsed.values as CommandContext['flags'], parsed.positionals);
    return (await command.run(ctx)) ?? 0;
  } catch (err) {
    // Interrupting a command that follows events is how it is meant to end.
    if (io.signal.aborted) return 0;
    out.error(err);
    return err instanceof UsageError ? 2 : 1;
  }
}

async function context(
  io: RunIo,
  out: Output,
  flags: CommandContext['flags'],
  args: string[],
): Promise<CommandContext> {
  const path = configPath(io.env);
  const config = await readConfig(path);
  const apiKey = io.env.LOBSTER_API_KEY || config.apiKey;
  const apiUrl = io.env.LOBSTER_API_URL || config.apiUrl;
  const settings: CommandContext['settings'] = {
    apiKey,
    apiKeyFrom: io.env.LOBSTER_API_KEY ? 'env' : config.apiKey ? 'config' : null,
    apiUrl: apiUrl ?? DEFAULT_API_URL,
    apiUrlFromUser: apiUrl !== undefined,
    configPath: path,
  };
  let client: LobsterClient | undefined;
  return {
    flags,
    args,
    out,
    settings,
    stdin: io.stdin,
    signal: io.signal,
    client() {
      if (!settings.apiKey) throw new Error('no API key: set LOBSTER_API_KEY or run "lobster login"');
      client ??= new LobsterClient({ apiKey: settings.apiKey, baseUrl: settings.apiUrl });
      return client;
    },
  };
}
