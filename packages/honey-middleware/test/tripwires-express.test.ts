import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import express4 from 'express4';
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
