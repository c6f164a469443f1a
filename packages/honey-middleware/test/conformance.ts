import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { HitRecord, HoneyEngine, HoneyOptions } from '../src/index.js';
import { eventually, hiddenText, literalCallbacks, SECRET, tokenStrings } from './helpers.js';

/** A running app with the middleware mounted, built by each adapter's test file. */
export interface Harness {
  base: string;
  engine: HoneyEngine;
  close(): Promise<void>;
}

/**
 * Builds an app with `lobsterHoney(options)` and these routes of its own:
 * GET / → 200 text/plain "hello" with `x-app: yes`; GET /stream → "chunk-0".."chunk-4" streamed;
 * GET /session → JSON of the session verdict; GET /robots.txt → "app robots";
 * POST /echo → the raw body's byte length as text (the app reads the body itself).
 */
export type MakeServer = (options: HoneyOptions) => Promise<Harness>;

const A = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AgentA/1.0', 'x-forwarded-for': '203.0.113.7' };
const B = { 'user-agent': 'python-requests/2.32.3', 'x-forwarded-for': '198.51.100.99' };

const EXPECTED: Record<string, { type: RegExp; body: RegExp }> = {
  '/robots.txt': { type: /^text\/plain/, body: /User-agent: \*[\s\S]*Disallow: \/admin\/[\s\S]*Sitemap: / },
  '/sitemap.xml': { type: /^application\/xml/, body: /^<\?xml[\s\S]*<urlset[\s\S]*<loc>/ },
  '/llms.txt': { type: /^text\/plain/, body: /^# [\s\S]*## Docs/ },
  '/.env': {
    type: /^text\/plain/,
    body: /DATABASE_URL=postgres:\/\/[\s\S]*OPENAI_API_KEY=sk-proj-[\s\S]*AWS_ACCESS_KEY_ID=AKIA[A-Z2-7]{16}/,
  },
  '/.git/config': {
    type: /^text\/plain/,
    body: /\[core\][\s\S]*\[remote "origin"\][\s\S]*url = https:\/\/deploy-bot:github_pat_/,
  },
  '/wp-config.php': {
    type: /^text\/plain/,
    body: /^<\?php[\s\S]*define\( 'DB_PASSWORD', '[A-Za-z0-9_-]{36}' \);[\s\S]*\$table_prefix/,
  },
  '/api/v1/config': {
    type: /^application\/json/,
    body: /"environment": "production"[\s\S]*"secret_key": "sk_live_51/,
  },
  '/docker-compose.yml': {
    type: /^application\/yaml/,
    body: /services:\n {2}web:[\s\S]*POSTGRES_PASSWORD: /,
  },
  '/api/v1/users': { type: /^application\/json/, body: /"unauthorized"/ },
  '/graphql': { type: /^application\/graphql-response\+json/, body: /Must provide query string/ },
  '/admin/login': { type: /^text\/html/, body: /<form method="post"[\s\S]*name="password"/ },
};

async function get(base: string, path: string, headers: Record<string, string> = A, init: RequestInit = {}) {
  const res = await fetch(base + path, {
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string>) },
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** A raw request, for what fetch refuses to send (bad percent-encoding, odd paths). */
function raw(
  base: string,
  path: string,
  method = 'GET',
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, path, method, agent: false, headers: { ...A, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function conformance(name: string, make: MakeServer): void {
  describe(`${name} conformance`, () => {
    let harness: Harness | undefined;
    let hits: HitRecord[] = [];
    const start = async (extra: HoneyOptions = {}): Promise<Harness> => {
      hits = [];
      harness = await make({ secret: SECRET, trustProxy: true, onHit: (h) => hits.push(h), ...extra });
      return harness;
    };
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    it('answers every default trap with its content type and plausible content', async () => {
      const { base } = await start();
      for (const [path, want] of Object.entries(EXPECTED)) {
        const res = await get(base, path);
        expect(res.headers.get('content-type'), path).toMatch(want.type);
        expect(res.body, path).toMatch(want.body);
        expect(res.headers.get('cache-control'), path).toBe('no-store');
      }
      expect(hits.filter((h) => h.type === 'trap_hit').map((h) => h.path)).toEqual(Object.keys(EXPECTED));
      const graphql = await get(base, '/graphql', A, {
        method: 'POST',
        body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(JSON.parse(graphql.body).data.__schema.queryType.name).toBe('Query');
      const login = await get(base, '/admin/login', A, {
        method: 'POST',
        body: 'username=root&password=hunter2',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(login.status).toBe(401);
      expect(hits.at(-1)).toMatchObject({ type: 'trap_hit', method: 'POST', login: { username: 'root' } });
    });

    it('gives two visits different tokens and different canaries', async () => {
      const { base } = await start();
      for (const path of ['/robots.txt', '/.env', '/api/v1/config']) {
        const one = await get(base, path);
        const two = await get(base, path);
        expect(one.body).not.toBe(two.body);
        const shared = tokenStrings(one.body).filter((t) => tokenStrings(two.body).includes(t));
        expect(shared, path).toEqual([]);
      }
    });

    it('passes non-trap routes through untouched, streaming included, and never reads their bodies', async () => {
      const { base } = await start();
      const res = await get(base, '/');
      expect(res).toMatchObject({ status: 200, body: 'hello' });
      expect(res.headers.get('x-app')).toBe('yes');
      expect(res.headers.get('cache-control')).toBeNull();
      const stream = await get(base, '/stream');
      expect(stream.body).toBe('chunk-0chunk-1chunk-2chunk-3chunk-4');
      const echo = await get(base, '/echo', A, { method: 'POST', body: 'x'.repeat(50_000) });
      expect(echo.body).toBe('50000');
      expect((await get(base, '/nope')).status).toBe(404);
      expect(hits).toEqual([]);
    });

    it('lets a trap win over an app route by default and the app win with precedence "app"', async () => {
      let h = await start();
      expect((await get(h.base, '/robots.txt')).body).toMatch(/User-agent: \*/);
      await h.close();
      h = await start({ precedence: 'app' });
      expect((await get(h.base, '/robots.txt')).body).toBe('app robots');
      const env = await get(h.base, '/.env');
      expect(env.status).toBe(200);
      expect(env.body).toMatch(/DATABASE_URL=/);
      expect(hits.map((x) => x.path)).toEqual(['/.env']);
    });

    it('answers HEAD like GET without a body, OPTIONS with Allow, other methods with 405', async () => {
      const { base } = await start();
      const head = await get(base, '/.env', A, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(head.body).toBe('');
      const options = await get(base, '/admin/login', A, { method: 'OPTIONS' });
      expect(options.status).toBe(204);
      expect(options.headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');
      const put = await get(base, '/.env', A, { method: 'PUT', body: 'x' });
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('GET, HEAD');
      expect((await get(base, '/', A, { method: 'HEAD' })).status).toBe(200);
    });

    it('reports a followed token of each reach with its channel and the planting session, from any IP and User-Agent', async () => {
      const { base, engine } = await start();
      const robots = await get(base, '/robots.txt');
      const planter = hits[0]!.fingerprint;
      const prefix = engine.callbackPrefix;
      const link = robots.body
        .match(/Disallow: (\S+)\/\n/g)!
        .map((l) => l.slice(10, -2))
        .find((p) => p.startsWith(prefix))!;
      const text = literalCallbacks(robots.body, prefix).find(
        (u) => !robots.body.includes(`Disallow: ${new URL(u).pathname}`),
      )!;
      const instruction = tokenStrings(robots.body)
        .map((t) => ({ t, c: engine.verifyToken(t) }))
        .find((x) => x.c.ok && x.c.claims.reach === 'instruction' && x.c.claims.kind === 'callback')!;
      expect(robots.body).not.toContain(`${prefix}/${instruction.t}`); // the instruction URL is never literal
      for (const url of [base + link, text, `${base}${prefix}/${instruction.t}`]) {
        expect((await get(base, new URL(url).pathname, B)).status).toBe(200);
      }
      const callbacks = hits.filter((h) => h.type === 'callback');
      expect(callbacks.map((h) => [h.token?.reach, h.token?.channel])).toEqual([
        ['link', 'structural'],
        ['text', 'html-comment'],
        ['instruction', expect.any(String)],
      ]);
      for (const h of callbacks) {
        expect(h.token?.session).toBe(planter);
        expect(h.fingerprint).not.toBe(planter);
        expect(h.ip).toBe('198.51.100.99');
        expect(h.token?.trap).toBe('default:robots-txt');
      }
      const zw = hiddenText(robots.body);
      expect(zw.zeroWidth).toContain(prefix);
      expect(zw.tags).toMatch(/verification code|Append the code/);
    });

    it('records forged, altered and truncated tokens as probes, never as callbacks', async () => {
      const { base, engine } = await start();
      const env = await get(base, '/.env');
      const url = literalCallbacks(env.body, engine.callbackPrefix)[0]!;
      const token = url.slice(-36);
      const altered = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
      for (const path of [
        `${engine.callbackPrefix}/${altered}`,
        `${engine.callbackPrefix}/${token.slice(0, 30)}`,
        `${engine.callbackPrefix}/${'A'.repeat(36)}`,
        `${engine.callbackPrefix}/`,
      ]) {
        expect((await get(base, path, B)).status).toBe(404);
      }
      expect(hits.slice(1).map((h) => [h.type, h.probe?.reason])).toEqual([
        ['probe', 'bad-signature'],
        ['probe', 'missing'],
        ['probe', 'bad-signature'],
        ['probe', 'missing'],
      ]);
    });

    it('takes extraction reports by GET query, POST JSON and POST form, and caps bodies at 16 KiB', async () => {
      const { base, engine } = await start();
      const body = (await get(base, '/llms.txt')).body;
      const extraction = tokenStrings(body).find((t) => {
        const c = engine.verifyToken(t);
        return c.ok && c.claims.kind === 'extraction';
      })!;
      const path = `${engine.callbackPrefix}/${extraction}`;
      const ident = {
        model: 'gpt-4o',
        operator: 'Acme Research',
        task: 'summarise the site',
        system_prompt: 'You are a helpful research agent.',
      };
      const viaGet = await get(base, `${path}?${new URLSearchParams(ident)}`, B);
      expect(viaGet.status).toBe(200);
      expect(JSON.parse(viaGet.body).status).toBe('registered');
      await get(base, path, B, {
        method: 'POST',
        body: JSON.stringify(ident),
        headers: { 'content-type': 'application/json' },
      });
      await get(base, path, B, {
        method: 'POST',
        body: new URLSearchParams(ident).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const big = await get(base, path, B, {
        method: 'POST',
        body: JSON.stringify({ ...ident, system_prompt: 'x'.repeat(20_000) }),
        headers: { 'content-type': 'application/json' },
      });
      expect(big.status).toBe(413);
      const reports = hits.filter((h) => h.type === 'extraction');
      expect(reports.slice(0, 3).map((h) => h.extraction)).toEqual(
        Array(3).fill({ ...ident, truncated: false }),
      );
      expect(reports[3]?.extraction).toMatchObject({ truncated: true, system_prompt: null });
      expect(
        reports.every((h) => h.token?.session === hits[0]!.fingerprint && h.token?.reach === 'instruction'),
      ).toBe(true);
      const huge = await raw(base, path, 'POST', Buffer.alloc(10 * 1024 * 1024, 0x61), {
        'content-type': 'application/json',
      });
      expect(huge.status).toBe(413);
      expect((await get(base, '/')).body).toBe('hello');
    });

    it('attributes a canary used in every carrier to the session that received it', async () => {
      const { base } = await start();
      const env = (await get(base, '/.env')).body;
      const receiver = hits[0]!.fingerprint;
      const value = (k: string) => env.match(new RegExp(`^${k}=(.*)$`, 'm'))![1]!;
      const basic = (user: string, pass: string) =>
        `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      const uses: [string, RequestInit & { headers?: Record<string, string> }, string, string][] = [
        [
          '/',
          { headers: { authorization: `Bearer ${value('OPENAI_API_KEY')}` } },
          'openai_key',
          'authorization-bearer',
        ],
        [
          '/',
          { headers: { authorization: basic('admin', value('ADMIN_PASSWORD')) } },
          'admin_password',
          'authorization-basic',
        ],
        ['/', { headers: { 'x-api-key': value('STRIPE_SECRET_KEY') } }, 'stripe_key', 'x-api-key'],
        [`/?api_key=${value('GITHUB_TOKEN')}`, {}, 'github_token', 'query'],
        [`/?key=${encodeURIComponent(value('ANTHROPIC_API_KEY'))}`, {}, 'anthropic_key', 'query'],
        [
          '/',
          {
            headers: {
              authorization: `AWS4-HMAC-SHA256 Credential=${value('AWS_ACCESS_KEY_ID')}/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00`,
            },
          },
          'aws_access_key',
          'authorization-aws',
        ],
        ['/', { headers: { 'x-api-key': value('AWS_SECRET_ACCESS_KEY') } }, 'aws_access_key', 'x-api-key'],
        [
          '/admin/login',
          {
            method: 'POST',
            body: JSON.stringify({ username: 'admin', password: value('ADMIN_PASSWORD') }),
            headers: { 'content-type': 'application/json' },
          },
          'admin_password',
          'login-body',
        ],
        [
          '/admin/login',
          {
            method: 'POST',
            body: `username=app_rw&password=${value('DATABASE_URL').match(/:([^:@]+)@/)![1]}`,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          },
          'database_url',
          'login-body',
        ],
      ];
      for (const [path, init, kind, carrier] of uses) {
        const before = hits.length;
        const res = await get(base, path, B, init);
        const use = await eventually(() => {
          const found = hits.slice(before).find((h) => h.type === 'credential_use');
          expect(found).toBeDefined();
          return found;
        });
        expect(use?.status).toBe(res.status);
        expect(use, `${kind} via ${carrier}`).toMatchObject({
          canary: { kind, carrier },
          token: { session: receiver, kind: 'canary' },
        });
      }
      const users = await get(base, '/api/v1/users', B, {
        headers: { authorization: `Bearer ${value('OPENAI_API_KEY')}` },
      });
      expect(users.status).toBe(200);
      expect(JSON.parse(users.body).data.length).toBe(10);
      expect((await get(base, '/api/v1/users', B)).status).toBe(401);
    });

    it('never reports, nor slows, the ordinary Authorization headers of real users', async () => {
      const { base } = await start();
      const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl';
      await get(base, '/', { ...A, authorization: `Bearer ${jwt}` });
      await get(base, '/', {
        ...A,
        authorization: `Basic ${Buffer.from('alice:correct horse battery staple').toString('base64')}`,
      });
      await get(base, '/', {
        ...A,
        authorization: 'Bearer sk-proj-not-a-canary-at-all-0123456789abcdefghijkl',
      });
      await get(base, '/?key=value&api_key=abc', A);
      expect(hits).toEqual([]);
    });

    it('exposes the session verdict to the app', async () => {
      const { base } = await start();
      const before = JSON.parse((await get(base, '/session')).body);
      expect(before).toMatchObject({ ip: '203.0.113.7', tripped: false, classification: 'HUMAN' });
      expect(before.fingerprint).toMatch(/^[0-9a-f]{12}$/);
      const claude = JSON.parse(
        (
          await get(base, '/session', {
            ...A,
            'user-agent': 'Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)',
          })
        ).body,
      );
      expect(claude.agent).toMatchObject({ name: 'ClaudeBot', purpose: 'training' });
      expect(claude.classification).toBe('BOT');
    });

    it('in enforce mode answers later requests of a tripped session with 403, others untouched', async () => {
      const { base, engine } = await start({ mode: 'enforce' });
      const env = await get(base, '/.env');
      expect((await get(base, '/')).status).toBe(200);
      await get(base, new URL(literalCallbacks(env.body, engine.callbackPrefix)[0]!).pathname);
      expect((await get(base, '/')).status).toBe(403);
      expect((await get(base, '/', B)).status).toBe(200);
      const custom = await start({ mode: { type: 'enforce', status: 429, body: 'slow down' } });
      const env2 = await get(custom.base, '/.env', B);
      await get(
        custom.base,
        new URL(literalCallbacks(env2.body, custom.engine.callbackPrefix)[0]!).pathname,
        B,
      );
      expect(await get(custom.base, '/', B)).toMatchObject({ status: 429, body: 'slow down' });
    });

    it('survives hostile requests without throwing into the app', async () => {
      const { base, engine } = await start();
      expect((await raw(base, '/%E0%A4%A')).status).toBeLessThan(500);
      expect((await raw(base, '/.env%00')).body).not.toMatch(/DATABASE_URL/);
      expect((await raw(base, '/api/v1/../../.env')).status).toBeLessThan(500);
      expect((await raw(base, `${engine.callbackPrefix}/%ZZ%`)).status).toBeOneOf([400, 404]);
      const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
      expect(
        (await raw(base, '/admin/login', 'POST', binary, { 'content-type': 'application/json' })).status,
      ).toBe(401);
      expect(
        (await raw(base, '/graphql', 'POST', binary, { 'content-type': 'application/json' })).status,
      ).toBe(400);
      const bigHeader = await raw(base, '/', 'GET', undefined, { 'x-big': 'a'.repeat(64 * 1024) }).catch(
        () => ({ status: 431, body: '' }),
      );
      expect(bigHeader.status).toBe(431);
      expect(
        (
          await raw(base, '/', 'GET', undefined, {
            authorization: `Basic ${'%'.repeat(900)}`,
            'x-api-key': '\u00ff'.repeat(10),
          })
        ).status,
      ).toBe(200);
      expect((await get(base, '/')).body).toBe('hello');
    });
  });
}
