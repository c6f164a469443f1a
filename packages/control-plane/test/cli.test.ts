import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call } from './helpers.js';

/** The built bin, run as a user would run it (`npm test` builds first). */
const BIN = new URL('../dist/main.js', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshEnv(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'lobster-cli-'));
  dirs.push(dir);
  return {
    PATH: process.env.PATH,
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    PORT: '0',
    LOG_LEVEL: 'info',
  };
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `serve` and resolves once it logs its URL. */
function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], { env });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match) resolve({ child, url: match[1]!, output: () => out });
    });
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

describe('lobster-control-plane bin', () => {
  it('migrate applies the schema once', async () => {
    const env = freshEnv();
    const first = await run(['migrate'], env);
    expect(first).toMatchObject({
      code: 0,
      stdout:
        'Applied: Init1764000000000, Traps1764000000001, SessionsHits1764000000002, HitHours1764000000003, SessionFilterIndexes1764000000004, EventOrder1764000000005, Alerts1764000000006, IngestWritePath1764000000007, SessionFingerprintIndex1764000000008, SessionHours1764000000009\n',
    });
    const second = await run(['migrate'], env);
    expect(second).toMatchObject({ code: 0, stdout: 'Database is up to date.\n' });
  });

  it('serve prints the first admin key once, serves with it, and stops cleanly on SIGTERM', async () => {
    const env = freshEnv();
    const first = await serve(env);
    const key = /lh_[0-9A-Za-z]{32}/.exec(first.output())?.[0];
    expect(key).toBeDefined();
    const res = await call(`${first.url}/v1/apikeys`, { key: key! });
    expect(res.status).toBe(200);
    expect(res.body.data[0].name).toBe('Bootstrap admin key');
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(first.output()).toContain('"msg":"shutting down"');

    // A restart on the same database prints no key, and the first key still works.
    const second = await serve(env);
    expect(second.output()).not.toMatch(/lh_[0-9A-Za-z]{32}/);
    expect((await call(`${second.url}/v1/apikeys`, { key: key! })).status).toBe(200);
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
    // The generated master key lives beside the database, readable by its owner only.
    const secretFile = join(env.DATABASE_URL!.slice('sqlite:'.length), '..', 'secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
  });

  it('bootstrap --org creates another org with its own admin key', async () => {
    const env = freshEnv();
    const made = await run(['bootstrap', '--org', 'Globex'], env);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('Admin API key for org "Globex"');
    const key = /lh_[0-9A-Za-z]{32}/.exec(made.stdout)![0];
    const server = await serve(env);
    try {
      const res = await call(`${server.url}/v1/apikeys`, { key });
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(1);
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
  });

  it('exits 2 with usage on bad commands and bad configuration', async () => {
    const env = freshEnv();
    const noOrg = await run(['bootstrap'], env);
    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toMatch(/^lobster-control-plane: bootstrap needs --org NAME\n\nUsage:/);
    const unknown = await run(['launch'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "launch"');
    const badPort = await run(['serve'], { ...env, PORT: 'forty' });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('PORT must be an integer between 0 and 65535, got "forty"');
    const badDb = await run(['migrate'], { ...env, DATABASE_URL: 'mysql://x' });
    expect(badDb.code).toBe(2);
    expect(badDb.stderr).toContain('DATABASE_URL must start with "sqlite:" or "postgres://"');
  });
});
