import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What `lobster login` saves. */
export interface CliConfig {
  apiKey?: string;
  apiUrl?: string;
}

export const DEFAULT_API_URL = 'http://localhost:4000';

/** `$XDG_CONFIG_HOME/lobster/config.json`, else `$HOME/.config/lobster/config.json`. */
export function configPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'lobster', 'config.json');
}

export async function readConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as CliConfig;
    return {
      ...(typeof parsed.apiKey === 'string' ? { apiKey: parsed.apiKey } : {}),
      ...(typeof parsed.apiUrl === 'string' ? { apiUrl: parsed.apiUrl } : {}),
    };
  } catch {
    throw new Error(`${path} is not valid JSON; fix it or run "lobster login" again`);
  }
}

/**
 * Writes the file readable by its owner only. The new content goes to a temporary file created 0600
 * and is renamed over the old one, so the key is never in a file others can read, not even briefly.
 */
export async function writeConfig(path: string, config: CliConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600); // the umask cannot widen it, but an existing temp file kept its old mode
  await rename(temp, path);
}
