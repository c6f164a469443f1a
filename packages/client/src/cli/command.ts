import type { ParseArgsConfig } from 'node:util';
import type { LobsterClient } from '../client.js';
import type { Output } from './output.js';

/** A mistake in how the CLI was called: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Flags = Record<string, string | boolean | undefined>;

export interface CommandContext {
  flags: Flags;
  /** The positional arguments after the command words, checked against `Command.args`. */
  args: string[];
  out: Output;
  /** Settings from the environment and the config file; the client is made on first use. */
  client(): LobsterClient;
  /** Where the key and URL came from; `login` writes `configPath`. */
  settings: {
    apiKey: string | undefined;
    apiKeyFrom: 'env' | 'config' | null;
    apiUrl: string;
    /** The URL came from LOBSTER_API_URL or the config file, not the default. */
    apiUrlFromUser: boolean;
    configPath: string;
  };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM, so long-running commands (events tail) end cleanly. */
  signal: AbortSignal;
}

export interface Command {
  /** `traps create --name NAME …`: shown in help and usage errors. */
  usage: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Names of the required positional arguments, e.g. `['id']`. */
  args?: string[];
  /** Resolves with the exit code when it is not 0. */
  // biome-ignore lint/suspicious/noConfusingVoidType: most commands return nothing, meaning exit code 0
  run(ctx: CommandContext): Promise<number | void>;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredFlag(flags: Flags, name: string): string {
  const value = stringFlag(flags, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function oneOf<T extends string>(flags: Flags, name: string, allowed: readonly T[]): T | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

export function positiveInt(flags: Flags, name: string): number | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--${name} must be a positive integer; got "${value}"`);
  return Number(value);
}

/** Takes at most `limit` items from a list, fetching only the pages needed. */
export async function take<T>(source: AsyncIterable<T>, limit: number): Promise<T[]> {
  const items: T[] = [];
  if (limit <= 0) return items;
  for await (const item of source) {
    items.push(item);
    if (items.length >= limit) break;
  }
  return items;
}

export async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}
