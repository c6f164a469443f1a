import express from 'express';
import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { lobsterHoney } from '../src/adapters/express.js';
import { EXPRESS_STYLES, tripwireApp } from './express-apps.js';
import { PAGE } from './pages.js';
import { listen } from './servers.js';
import { tripwireConformance } from './tripwires.js';

tripwireConformance('Express 5', EXPRESS_STYLES, tripwireApp(express, 'middleware'));
tripwireConformance(
  'Express 4',
  EXPRESS_STYLES,
  tripwireApp(express4 as unknown as typeof express, 'middleware'),
);

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
