import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type express from 'express';
import { lobsterHoney } from '../src/adapters/express.js';
import { withLobsterHoney } from '../src/adapters/node.js';
import type { HoneyOptions } from '../src/index.js';
import type { Harness, MakeServer } from './conformance.js';
import { PAGE, PAGE_NO_BODY, PASS, pageStream, passHeaders } from './pages.js';
import { chunks, serveHarness } from './servers.js';
import type { MakeTripwireServer } from './tripwires.js';

type Express = typeof express;
type App = ReturnType<Express>;

/**
 * How the engine is put in front of an Express app: `app.use(lobsterHoney())`, or the app wrapped as a
 * Node listener with `withLobsterHoney(app)`.
 */
export type Mount = 'middleware' | 'listener';

/** Builds the app with the engine mounted, its routes added by `routes`, and serves it. */
function serve(
  factory: Express,
  mount: Mount,
  options: HoneyOptions,
  routes: (app: App) => void,
): Promise<Harness> {
  const app = factory();
  if (mount === 'listener') {
    routes(app);
    const honey = withLobsterHoney(app, options);
    return serveHarness(createServer(honey), honey);
  }
  const honey = lobsterHoney(options);
  app.use(honey);
  routes(app);
  return serveHarness(createServer(app), honey);
}

/** The conformance suite's app (see `MakeServer`) on Express. */
export function conformanceApp(factory: Express, mount: Mount): MakeServer {
  return (options) =>
    serve(factory, mount, options, (app) => {
      app.get('/', (_req, res) => {
        res.set('x-app', 'yes').type('text/plain').send('hello');
      });
      app.get('/stream', (_req, res) => {
        res.type('text/plain');
        chunks().pipe(res);
      });
      app.get('/session', (req, res) => {
        res.json(req.lobsterHoney);
      });
      app.get('/robots.txt', (_req, res) => {
        res.type('text/plain').send('app robots');
      });
      app.post('/echo', async (req, res) => {
        let n = 0;
        for await (const c of req) n += (c as Buffer).length;
        res.type('text/plain').send(String(n));
      });
    });
}

const views = mkdtempSync(join(tmpdir(), 'lobster-views-'));
writeFileSync(join(views, 'page.html'), PAGE);

/** The tripwire suite's app (see `MakeTripwireServer`) on Express: every send style Express has. */
export function tripwireApp(factory: Express, mount: Mount): MakeTripwireServer {
  return (options) =>
    serve(factory, mount, options, (app) => {
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
    });
}

export const EXPRESS_STYLES = ['string', 'buffer', 'render', 'write', 'stream'] as const;
