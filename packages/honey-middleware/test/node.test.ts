import { createServer, type IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import express4 from 'express4';
import { describe, expect, it, vi } from 'vitest';
import { lobsterHoney } from '../src/adapters/express.js';
import { type NodeHoneyRequestLike, type NodeListener, withLobsterHoney } from '../src/adapters/node.js';
import { type HitRecord, HoneyConfigError } from '../src/index.js';
import { conformance } from './conformance.js';
import { conformanceApp, EXPRESS_STYLES, tripwireApp } from './express-apps.js';
import { PAGE } from './pages.js';
import { chunks, listen, serveHarness } from './servers.js';
import { tripwireConformance } from './tripwires.js';

// withLobsterHoney(app): the same suites as app.use(lobsterHoney()), with the engine in front of the app.
conformance('Express 5 behind withLobsterHoney', conformanceApp(express, 'listener'));
conformance(
  'Express 4 behind withLobsterHoney',
  conformanceApp(express4 as unknown as typeof express, 'listener'),
);
tripwireConformance('Express 5 behind withLobsterHoney', EXPRESS_STYLES, tripwireApp(express, 'listener'));
tripwireConformance(
  'Express 4 behind withLobsterHoney',
  EXPRESS_STYLES,
  tripwireApp(express4 as unknown as typeof express, 'listener'),
);

/** The conformance suite's routes as a plain Node listener, without any framework. */
function plainListener(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const get = req.method === 'GET' || req.method === 'HEAD';
  if (get && url === '/') {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-app': 'yes' }).end('hello');
  } else if (get && url === '/stream') {
    res.setHeader('content-type', 'text/plain');
    chunks().pipe(res);
  } else if (req.method === 'GET' && url === '/session') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify((req as NodeHoneyRequestLike).lobsterHoney));
  } else if (req.method === 'GET' && url === '/robots.txt') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('app robots');
  } else if (req.method === 'POST' && url === '/echo') {
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(String(n)));
  } else {
    // Headers set, not written: with precedence 'app' a trap may still take the place of this 404.
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain');
    res.end('not found');
  }
}

conformance('a plain Node listener behind withLobsterHoney', (options) => {
  const honey = withLobsterHoney(plainListener, options);
  return serveHarness(createServer(honey), honey);
});

describe('withLobsterHoney', () => {
  it('refuses a listener that is not a function, and bad options by name', () => {
    expect(() => withLobsterHoney({} as never)).toThrow(/listener must be a function/);
    expect(() => withLobsterHoney(plainListener, { mode: 'block' } as never)).toThrow(HoneyConfigError);
    expect(() => withLobsterHoney(plainListener, { mode: 'block' } as never)).toThrow(/mode/);
  });

  it('with precedence "app", records a trap POST with the body the app\'s parser read', async () => {
    const hits: HitRecord[] = [];
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    const honey = withLobsterHoney(app, {
      secret: 's'.repeat(32),
      syncTraps: false,
      precedence: 'app',
      onHit: (h) => hits.push(h),
    });
    const server = await serveHarness(createServer(honey), honey);
    try {
      const res = await fetch(`${server.base}/admin/login`, {
        method: 'POST',
        body: 'username=root&password=hunter2',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBe(401);
      expect(hits.at(-1)).toMatchObject({ type: 'trap_hit', method: 'POST', login: { username: 'root' } });
    } finally {
      await server.close();
    }
  });

  it('plants page tripwires in a plain listener page and exposes req.lobsterHoney to it', async () => {
    const honey = withLobsterHoney(
      (req, res) => {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.setHeader('x-session', (req as NodeHoneyRequestLike).lobsterHoney?.fingerprint ?? 'none');
        res.end(PAGE);
      },
      { secret: 's'.repeat(32), syncTraps: false },
    );
    const server = await serveHarness(createServer(honey), honey);
    try {
      const res = await fetch(`${server.base}/`);
      const html = await res.text();
      expect(res.headers.get('x-session')).toMatch(/^[0-9a-f]{12}$/);
      expect(html).toContain('<div hidden aria-hidden="true" data-nosnippet>');
      expect(html.startsWith(PAGE.slice(0, 40))).toBe(true);
      expect(html.length).toBeGreaterThan(PAGE.length);
    } finally {
      await server.close();
    }
  });
  it('on an Express app, sets req.lobsterHoney and adds nothing to the response but res.locals', async () => {
    const app = express();
    const admin = express();
    admin.get('/page', (req, res) => {
      res.set('x-session', req.lobsterHoney?.fingerprint ?? 'none');
      res.set(
        'x-own',
        Object.getOwnPropertyNames(res)
          .filter((k) => /lobster|^write|^end$/.test(k))
          .join(','),
      );
      res.type('html').send(PAGE);
    });
    app.use('/admin', admin);
    const honey = withLobsterHoney(app, { secret: 's'.repeat(32), syncTraps: false });
    const server = await serveHarness(createServer(honey), honey);
    try {
      const res = await fetch(`${server.base}/admin/page`);
      const html = await res.text();
      expect(res.headers.get('x-session')).toMatch(/^[0-9a-f]{12}$/);
      expect(res.headers.get('x-own')).toBe('');
      expect(html).toContain('<div hidden aria-hidden="true" data-nosnippet>');
    } finally {
      await server.close();
    }
  });

  it('keeps req.lobsterHoney for an app that replaces res.locals or calls an Express app it did not mount', async () => {
    const app = express();
    const other = express();
    other.get('/', (req, res) => res.json({ fingerprint: req.lobsterHoney?.fingerprint ?? null }));
    app.use((_req, res, next) => {
      res.locals = { user: 'bob' };
      next();
    });
    app.get('/replaced', (req, res) => res.json({ fingerprint: req.lobsterHoney?.fingerprint ?? null }));
    app.use('/other', (req, res, next) => other(req, res, next));
    const honey = withLobsterHoney(app, { secret: 's'.repeat(32), syncTraps: false });
    const server = await serveHarness(createServer(honey), honey);
    try {
      for (const path of ['/replaced', '/other/']) {
        const body = (await (await fetch(`${server.base}${path}`)).json()) as { fingerprint: string | null };
        expect(body.fingerprint, path).toMatch(/^[0-9a-f]{12}$/);
      }
    } finally {
      await server.close();
    }
  });
});

/** How many tripwire blocks a page carries. */
const blocks = (html: string): number =>
  html.split('<div hidden aria-hidden="true" data-nosnippet>').length - 1;
const OPTIONS = { secret: 's'.repeat(32), syncTraps: false };

/** A parent app and a sub-app mounted at /admin, each with a page, after the middleware `use` adds. */
function parentAndSub(use: (app: express.Express, sub: express.Express) => void): express.Express {
  const app = express();
  const sub = express();
  use(app, sub);
  app.get('/page', (_req, res) => res.type('html').send(PAGE));
  sub.get('/page', (_req, res) => res.type('html').send(PAGE));
  app.use('/admin', sub);
  return app;
}

/** Fetches `paths` (by default the parent's page, the sub-app's, the parent's again); the tripwire blocks each carried. */
async function pages(
  listener: NodeListener,
  closeAll: () => Promise<void>,
  paths = ['/page', '/admin/page', '/page'],
): Promise<number[]> {
  const server = await listen(createServer(listener).listen(0, '127.0.0.1'));
  try {
    const counts: number[] = [];
    for (const path of paths) {
      const res = await fetch(`${server.base}${path}`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      counts.push(blocks(await res.text()));
    }
    return counts;
  } finally {
    await server.close();
    await closeAll();
  }
}

describe('Express apps with more than one engine', () => {
  it('an app that wraps writeHead on its prototypes, before or after traffic, gets one tripwire, no loop', async () => {
    const seen: string[] = [];
    /** Instrumentation as an app or APM adds it: the previous method, called from a wrapper of its own. */
    const instrument = (proto: { writeHead: (...a: never[]) => unknown }, name: string): void => {
      const previous = proto.writeHead;
      proto.writeHead = function (this: unknown, ...args: never[]) {
        seen.push(name);
        return previous.apply(this, args);
      };
    };
    const outer = lobsterHoney(OPTIONS);
    const inner = lobsterHoney(OPTIONS);
    const app = parentAndSub((parent, sub) => {
      instrument(sub.response, 'sub');
      parent.use(outer);
      sub.use(inner);
    });
    const closeAll = async () => {
      await outer.close();
      await inner.close();
    };
    const server = await listen(createServer(app).listen(0, '127.0.0.1'));
    try {
      const count = async (path: string) => {
        const res = await fetch(`${server.base}${path}`, { signal: AbortSignal.timeout(5000) });
        expect(res.status, path).toBe(200);
        return blocks(await res.text());
      };
      expect([await count('/page'), await count('/admin/page')]).toEqual([1, 1]);
      instrument(app.response, 'app'); // after the first requests: the prototype carries the wrappers
      expect([await count('/page'), await count('/admin/page')]).toEqual([1, 1]);
      // The sub-app's wrapper calls the writeHead it found before it was mounted, which skips the app's.
      expect(seen).toEqual(['sub', 'app', 'sub']);
    } finally {
      await server.close();
      await closeAll();
    }
  });

  it('an Express app that never plants a tripwire still reaches instrumentation added to Node later', async () => {
    const wrapped = express();
    wrapped.get('/page', (_req, res) => res.type('html').send(PAGE));
    const honey = withLobsterHoney(wrapped, OPTIONS);
    expect(await pages(honey, () => honey.close(), ['/page'])).toEqual([1]);
    const plain = express();
    plain.get('/page', (_req, res) => res.type('html').send(PAGE));
    const proto = ServerResponse.prototype;
    const saved = { writeHead: proto.writeHead, write: proto.write, end: proto.end };
    const calls: string[] = [];
    for (const name of ['writeHead', 'end'] as const) {
      const previous = saved[name] as (...a: unknown[]) => unknown;
      (proto as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
        calls.push(name);
        return previous.apply(this, args);
      };
    }
    try {
      expect(await pages(plain, async () => {}, ['/page'])).toEqual([0]);
    } finally {
      Object.assign(proto, saved);
    }
    expect(calls).toContain('writeHead');
    expect(calls).toContain('end');
  });

  it('plants the tripwire in a page of an Express app another one calls as a function (vhost style)', async () => {
    const app = express();
    const other = express();
    other.get('/page', (_req, res) => res.type('html').send(PAGE));
    app.use('/other', (req, res, next) => other(req, res, next));
    const honey = withLobsterHoney(app, OPTIONS);
    expect(await pages(honey, () => honey.close(), ['/other/page'])).toEqual([1]);
  });

  it('lobsterHoney() on a mounted sub-app behind withLobsterHoney: one tripwire per page', async () => {
    const inner = lobsterHoney(OPTIONS);
    const app = parentAndSub((_app, sub) => sub.use(inner));
    const honey = withLobsterHoney(app, OPTIONS);
    const counts = await pages(honey, async () => {
      await honey.close();
      await inner.close();
    });
    expect(counts).toEqual([1, 1, 1]);
  });

  it('lobsterHoney() on both a parent app and its mounted sub-app: one tripwire per page', async () => {
    const outer = lobsterHoney(OPTIONS);
    const inner = lobsterHoney(OPTIONS);
    const app = parentAndSub((parent, sub) => {
      parent.use(outer);
      sub.use(inner);
    });
    const counts = await pages(app, async () => {
      await outer.close();
      await inner.close();
    });
    expect(counts).toEqual([1, 1, 1]);
  });

  it('a second copy of the module (as the ESM and CommonJS builds are) shares the tripwire state', async () => {
    vi.resetModules();
    const copy = await import('../src/adapters/express.js');
    expect(copy.lobsterHoney).not.toBe(lobsterHoney);
    const inner = copy.lobsterHoney(OPTIONS);
    const app = parentAndSub((parent) => parent.use(inner));
    const honey = withLobsterHoney(app, OPTIONS);
    const counts = await pages(honey, async () => {
      await honey.close();
      await inner.close();
    });
    expect(counts).toEqual([1, 1, 1]);
  });
});
