import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { lobsterHoney } from '../src/adapters/express.js';
import { PAGE, PAGE_NO_BODY, PASS, pageStream, passHeaders } from './pages.js';
import { listen } from './servers.js';
import { type MakeTripwireServer, tripwireConformance } from './tripwires.js';

const views = mkdtempSync(join(tmpdir(), 'lobster-views-'));
writeFileSync(join(views, 'page.html'), PAGE);

/** An Express app serving the tripwire suite's routes, every send style Express has. */
export function makeExpress(factory: typeof express): MakeTripwireServer {
  return async (options) => {
    const app = factory();
    const honey = lobsterHoney(options);
    app.use(honey);
    // Strong ETags, so the suite sees them dropped; the default weak ones are kept.
    app.set('etag', 'strong');
    app.engine('html', (file: string, _opts: object, cb: (e: Error | null, html?: string) => void) => {
      import('node:fs').then((fs) => cb(null, fs.readFileSync(file, 'utf8')), cb);
    });
    app.set('views', views);
    app.get('/style/string', (_req, res) => {
      res.type('html').send(PAGE);
    });
    app.get('/style/buffer', (_req, res) => {
      res.type('html').send(Buffer.from(PAGE));
    });
    app.get('/style/render', (_req, res) => {
      res.render('page.html');
    });
    app.get('/style/write', (_req, res) => {
      res.type('html');
      res.write(PAGE.slice(0, 50));
      res.write(Buffer.from(PAGE.slice(50, 120)));
      res.end(PAGE.slice(120));
    });
    app.get('/style/stream', (req, res) => {
      res.type('html');
      pageStream(String(req.query.gate ?? '')).pipe(res);
    });
    app.get('/fragment', (_req, res) => {
      res.type('html').send(PAGE_NO_BODY);
    });
    app.get('/pass/:name', (req, res) => {
      const name = String(req.params.name);
      const want = PASS[name]!;
      if (name === 'optout') res.locals.lobsterTripwires = false;
      res.status(want.status).set(passHeaders(name)).send(want.body);
    });
    const { base, close } = await listen(app.listen(0, '127.0.0.1'));
    return {
      base,
      engine: honey.engine,
      close: async () => {
        await close();
        await honey.close();
      },
    };
  };
}

const STYLES = ['string', 'buffer', 'render', 'write', 'stream'] as const;
tripwireConformance('Express 5', STYLES, makeExpress(express));
tripwireConformance('Express 4', STYLES, makeExpress(express4 as unknown as typeof express));

// Express adapter specifics: the response wrappers and `req.lobsterHoney` live on Express's shared
// prototypes (see installTripwires), so they must reach mounted sub-apps and leave other apps alone.
describe('Express: shared prototypes', () => {
  const BLOCK_MARK = '<div hidden aria-hidden="true" data-nosnippet>';

  it('plants in a mounted sub-app, exposes req.lobsterHoney there, and leaves an app without the middleware untouched', async () => {
    const app = express();
    const honey = lobsterHoney({ secret: 's'.repeat(32), syncTraps: false });
    app.use(honey);
    const sub = express();
    sub.get('/page', (req, res) => {
      res
        .set('x-session', req.lobsterHoney?.fingerprint ?? 'none')
        .type('html')
        .send(PAGE);
    });
    app.use('/sub', sub);
    const plain = express();
    plain.get('/page', (req, res) => {
      res.set('x-session', String(req.lobsterHoney)).type('html').send(PAGE);
    });
    const withHoney = await listen(app.listen(0, '127.0.0.1'));
    const without = await listen(plain.listen(0, '127.0.0.1'));
    try {
      const planted = await fetch(`${withHoney.base}/sub/page`);
      const text = await planted.text();
      expect(text).toContain(BLOCK_MARK);
      expect(planted.headers.get('x-session')).toMatch(/^[0-9a-f]{12}$/);

      const untouched = await fetch(`${without.base}/page`);
      expect(await untouched.text()).toBe(PAGE);
      expect(untouched.headers.get('x-session')).toBe('undefined');
    } finally {
      await withHoney.close();
      await without.close();
      await honey.close();
    }
  });

  it('leaves trap answers alone once the app prototype carries the wrappers', async () => {
    for (const precedence of ['trap', 'app'] as const) {
      const app = express();
      const honey = lobsterHoney({ secret: 's'.repeat(32), syncTraps: false, precedence });
      app.use(honey);
      app.get('/page', (_req, res) => {
        res.type('html').send(PAGE);
      });
      const server = await listen(app.listen(0, '127.0.0.1'));
      try {
        expect(await (await fetch(`${server.base}/page`)).text()).toContain(BLOCK_MARK);
        const login = await fetch(`${server.base}/admin/login`);
        const html = await login.text();
        expect(login.headers.get('content-type')).toMatch(/^text\/html/);
        expect(html).toMatch(/<form method="post"/);
        expect(html).not.toContain(BLOCK_MARK);
      } finally {
        await server.close();
        await honey.close();
      }
    }
  });

  it('lets the app assign req.lobsterHoney itself', async () => {
    const app = express();
    const honey = lobsterHoney({ secret: 's'.repeat(32), syncTraps: false });
    app.use(honey);
    app.get('/', (req, res) => {
      const seen = req.lobsterHoney?.classification;
      (req as { lobsterHoney?: unknown }).lobsterHoney = { classification: 'mine' };
      res.json({ seen, now: req.lobsterHoney });
    });
    const server = await listen(app.listen(0, '127.0.0.1'));
    try {
      const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' };
      const body = await (await fetch(`${server.base}/`, { headers })).json();
      expect(body).toEqual({ seen: 'HUMAN', now: { classification: 'mine' } });
    } finally {
      await server.close();
      await honey.close();
    }
  });
});
