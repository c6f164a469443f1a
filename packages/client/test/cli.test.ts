import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, removeTestDatabases, startServer, type TestServer, wireHit } from './server.js';

/** The built bin, as `npm i -g` would run it (the root `npm test` builds before testing). */
const BIN = new URL('../dist/cli/main.js', import.meta.url).pathname;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('lobster CLI (child process)', () => {
  let server: TestServer;
  let home: string;
  let receiver: Server;
  let receiverUrl: string;
  /** Everything any command printed, to check the admin key never appears. */
  const printed: string[] = [];

  beforeAll(async () => {
    server = await startServer({ allowPrivateWebhooks: true });
    home = mkdtempSync(join(tmpdir(), 'lobster-home-'));
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => receiver.close(resolve));
    rmSync(home, { recursive: true, force: true });
    removeTestDatabases();
  });

  /** A clean environment: no inherited LOBSTER_* and a HOME of our own. */
  function env(over: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const base: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: home,
      LOBSTER_API_URL: server.url,
      LOBSTER_API_KEY: server.adminKey,
      ...over,
    };
    return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  }

  function start(args: string[], over: Record<string, string | undefined> = {}): ChildProcess {
    return spawn(process.execPath, [BIN, ...args], { env: env(over), stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** Runs to the end (async: the control plane answering it lives in this process). */
  function lobster(
    args: string[],
    over: Record<string, string | undefined> = {},
    input = '',
  ): Promise<Result> {
    const child = start(args, over);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => {
      stdout += c;
    });
    child.stderr!.on('data', (c) => {
      stderr += c;
    });
    child.stdin!.end(input);
    return new Promise((resolve) =>
      child.on('close', (code) => {
        printed.push(stdout, stderr);
        resolve({ code, stdout, stderr });
      }),
    );
  }

  const json = async (args: string[]) => {
    const r = await lobster([...args, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('whoami --json parses and names the org', async () => {
    expect(await json(['whoami'])).toMatchObject({ orgId: server.orgId, scope: 'admin', apiUrl: server.url });
  });

  it('traps: create, list, enable, disable, show, delete', async () => {
    const trap = await json([
      'traps',
      'create',
      '--name',
      'CLI trap',
      '--path',
      '/cli-trap',
      '--type',
      'api',
      '--inactive',
    ]);
    expect(trap).toMatchObject({ name: 'CLI trap', path: '/cli-trap', type: 'api', active: 0 });
    expect((await json(['traps', 'enable', trap.id])).active).toBe(1);
    expect((await json(['traps', 'disable', trap.id])).active).toBe(0);
    expect((await json(['traps', 'show', trap.id])).id).toBe(trap.id);
    const list = await json(['traps', 'list']);
    expect(list.map((t: { id: string }) => t.id)).toContain(trap.id);

    const human = await lobster(['traps', 'list']);
    expect(human.code).toBe(0);
    const [header, ...rows] = human.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+PATH\s+TYPE\s+ACTIVE\s+SITE$/);
    expect(rows.find((r) => r.includes('/cli-trap'))).toMatch(/CLI trap\s+\/cli-trap\s+api\s+no\s+all/);

    expect(await json(['traps', 'delete', trap.id])).toEqual({ id: trap.id, deleted: true });
  });

  it('apikeys: create prints the key once; list and revoke never do', async () => {
    const created = await json(['apikeys', 'create', '--name', 'from-cli', '--scope', 'read-write']);
    expect(created.key).toMatch(/^lh_/);
    const human = await lobster(['apikeys', 'create', '--name', 'human']);
    expect(human.stdout.trim()).toMatch(/^lh_[0-9A-Za-z]{32}$/); // stdout is just the key, for `$(…)`
    expect(human.stderr).toContain('shown only now');

    const list = await json(['apikeys', 'list', '--page-size', '1']);
    expect(list.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([created.id]));
    expect(JSON.stringify(list)).not.toContain(created.key);
    const table = await lobster(['apikeys', 'list']);
    expect(table.stdout).toContain(created.id);
    expect(table.stdout).not.toContain(created.key);

    expect((await json(['apikeys', 'revoke', created.id])).revokedAt).toEqual(expect.any(String));
    const refused = await lobster(['whoami'], { LOBSTER_API_KEY: created.key });
    expect(refused.code).toBe(1);
  });

  it('sessions, events and analytics', async () => {
    const lobsterClient = server.client();
    const ingestKey = (await lobsterClient.apiKeys.create({ name: 'site', scope: 'ingest' })).key;
    await ingest(server, ingestKey, [wireHit({ fingerprint: 'fp-cli' })]);
    const sessions = await json(['sessions', 'list', '--limit', '5']);
    expect(sessions).toHaveLength(1);
    expect((await json(['sessions', 'show', sessions[0].id])).hits).toHaveLength(1);
    const events = await json(['events', 'list', '--type', 'apikey.', '--limit', '2']);
    expect(events).toHaveLength(2);
    expect(events.every((e: { type: string }) => e.type.startsWith('apikey.'))).toBe(true);
    expect((await json(['analytics'])).overview.totalHits24h).toBe(1);
    const human = await lobster(['sessions', 'show', sessions[0].id]);
    expect(human.stdout).toMatch(/classification:\s+BOT|classification:\s+HUMAN/);
  });

  it('alerts: create, list, test, disable, show, delete', async () => {
    const channel = await json([
      'alerts',
      'create',
      '--name',
      'ops',
      '--type',
      'webhook',
      '--url',
      receiverUrl,
    ]);
    expect(channel.signing_secret).toMatch(/^whsec_/);
    expect((await json(['alerts', 'list'])).map((c: { id: string }) => c.id)).toEqual([channel.id]);
    expect(await json(['alerts', 'test', channel.id])).toMatchObject({
      delivered: true,
      response_status: 200,
    });
    expect((await json(['alerts', 'disable', channel.id])).enabled).toBe(0);
    expect((await json(['alerts', 'show', channel.id])).deliveries).toEqual({
      pending: 0,
      delivered: 0,
      failed: 0,
    });
    expect(await json(['alerts', 'delete', channel.id])).toEqual({ id: channel.id, deleted: true });
  });

  for (const mode of ['stream', 'poll'] as const) {
    it(`events tail (${mode}) prints each new event as a JSON line and exits 0 on SIGINT`, async () => {
      const client = server.client();
      const [latest] = (await client.events.list({ limit: 1 })).data;
      const args = ['events', 'tail', '--json', '--type', 'trap.created', '--after', latest!.id];
      const child = start(mode === 'poll' ? [...args, '--poll', '--interval', '50'] : args);
      let stdout = '';
      const lines = () => stdout.split('\n').filter(Boolean);
      const three = new Promise<void>((resolve) =>
        child.stdout!.on('data', (c) => {
          stdout += c;
          if (lines().length >= 3) resolve();
        }),
      );
      for (let i = 0; i < 3; i++)
        await client.traps.create({ name: `tail ${i}`, path: `/tail-${mode}-${i}`, type: 'page' });
      await three;
      expect(lines().map((l) => JSON.parse(l).data.path)).toEqual([0, 1, 2].map((i) => `/tail-${mode}-${i}`));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    });
  }

  it('exit codes: 2 for usage errors, 1 for API errors, one line on stderr each', async () => {
    const usage = [
      ['bogus'],
      ['traps'],
      ['traps', 'explode'],
      ['traps', 'list', '--bogus'],
      ['traps', 'enable'],
      ['traps', 'enable', 'a', 'b'],
      ['apikeys', 'create'],
      ['apikeys', 'create', '--name', 'x', '--scope', 'root'],
      ['sessions', 'list', '--limit', 'many'],
      [],
    ];
    for (const args of usage) {
      const r = await lobster(args);
      expect(r.code, args.join(' ')).toBe(2);
      if (args.length > 0) expect(r.stderr, args.join(' ')).toMatch(/^lobster: [^\n]+\n$/);
    }

    const missing = await lobster(['traps', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^lobster: Trap with id 'nope' not found \(TRAP_NOT_FOUND, HTTP 404, request req_\w+\)\n$/,
    );
    expect(missing.stdout).toBe('');

    const asJson = await lobster(['traps', 'show', 'nope', '--json']);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { status: 404, code: 'TRAP_NOT_FOUND' } });
  });

  it('a bad key: exit 1, one line on stderr, the key not printed', async () => {
    const badKey = `lh_${'Z'.repeat(32)}`;
    const r = await lobster(['traps', 'list'], { LOBSTER_API_KEY: badKey });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^lobster: [^\n]+ \(UNAUTHORIZED, HTTP 401, request req_\w+\)\n$/);
    expect(r.stderr).not.toContain(badKey);
    const noKey = await lobster(['whoami'], { LOBSTER_API_KEY: undefined, HOME: join(home, 'empty') });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toBe('lobster: no API key: set LOBSTER_API_KEY or run "lobster login"\n');
  });

  it('login saves the key (0600) where HOME or XDG_CONFIG_HOME says; later commands use it', async () => {
    const fresh = join(home, 'login-home');
    const noEnvKey = { LOBSTER_API_KEY: undefined, HOME: fresh };
    const login = await lobster(['login', '--json'], noEnvKey, `${server.adminKey}\n`);
    expect(login.code).toBe(0);
    const path = join(fresh, '.config', 'lobster', 'config.json');
    expect(JSON.parse(login.stdout)).toMatchObject({ orgId: server.orgId, scope: 'admin', configPath: path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ apiKey: server.adminKey, apiUrl: server.url });
    expect((await lobster(['whoami', '--json'], { ...noEnvKey, LOBSTER_API_URL: undefined })).code).toBe(0);

    const xdg = join(home, 'xdg');
    const viaEnv = await lobster(['login'], { HOME: fresh, XDG_CONFIG_HOME: xdg });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toContain(join(xdg, 'lobster', 'config.json'));
    expect(statSync(join(xdg, 'lobster', 'config.json')).mode & 0o777).toBe(0o600);

    const bad = await lobster(
      ['login'],
      { LOBSTER_API_KEY: undefined, HOME: join(home, 'bad') },
      'lh_wrong\n',
    );
    expect(bad.code).toBe(1);
    expect(() => statSync(join(home, 'bad', '.config', 'lobster', 'config.json'))).toThrow();
  });

  it('never printed the admin key', () => {
    expect(printed.join('\n')).not.toContain(server.adminKey);
  });
});
