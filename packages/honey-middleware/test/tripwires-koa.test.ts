import { createServer } from 'node:http';
import Koa from 'koa';
import Koa2 from 'koa2';
import { afterEach, describe, expect, it } from 'vitest';
import { lobsterHoney } from '../src/adapters/koa.js';
import { PAGE, PAGE_NO_BODY, PASS, pageStream, passHeaders } from './pages.js';
import { listen, serveHarness } from './servers.js';
import { type MakeTripwireServer, raw, strip, tripwireConformance } from './tripwires.js';

function make(KoaClass: typeof Koa): MakeTripwireServer {
  return async (options) => {
    const app = new KoaClass();
    const honey = lobsterHoney(options);
    app.use(honey as unknown as Koa.Middleware);
    app.use(async (ctx) => {
      const [, kind, name = ''] = ctx.path.split('/');
      if (kind === 'style') {
        ctx.type = 'html';
        if (name === 'string') ctx.body = PAGE;
        else if (name === 'buffer') ctx.body = Buffer.from(PAGE);
        else if (name === 'stream') ctx.body = pageStream(String(ctx.query.gate ?? ''));
      } else if (kind === 'fragment') {
        ctx.type = 'html';
        ctx.body = PAGE_NO_BODY;
      } else if (kind === 'pass' && PASS[name]) {
        if (name === 'optout') ctx.state.lobsterTripwires = false;
        ctx.status = PASS[name].status;
        ctx.set(passHeaders(name));
        ctx.body = PASS[name].body;
      }
    });
    return serveHarness(createServer(app.callback()), honey);
  };
}

const STYLES = ['string', 'buffer', 'stream'] as const;
tripwireConformance('Koa 3', STYLES, make(Koa));
tripwireConformance('Koa 2', STYLES, make(Koa2 as unknown as typeof Koa));

// Koa apps set `ctx.body` anywhere in the middleware chain, before or after ours, and may replace it:
// the tripwire follows the body that is finally sent.
describe('Koa page tripwires, by when the body is set', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });
  const serve = async (build: (app: Koa, honey: Koa.Middleware) => void): Promise<string> => {
    const app = new Koa();
    const honey = lobsterHoney({ secret: 'koa-pages-secret-0123456789' });
    build(app, honey as unknown as Koa.Middleware);
    const { base, close } = await listen(createServer(app.callback()).listen(0, '127.0.0.1'));
    stop = async () => {
      await close();
      await honey.close();
    };
    return base;
  };
  const hasTripwire = (html: string): boolean => html.includes('data-nosnippet');

  it('arms on the page an app sets after a JSON body, and leaves JSON alone', async () => {
    const base = await serve((app, honey) => {
      app.use(honey);
      app.use((ctx) => {
        ctx.body = { draft: true };
        if (ctx.path === '/page') {
          ctx.type = 'html';
          ctx.body = PAGE;
        }
      });
    });
    const page = (await raw(`${base}/page`)).body.toString('utf8');
    expect(hasTripwire(page)).toBe(true);
    expect(strip(page)).toBe(PAGE);
    const json = await raw(`${base}/json`);
    expect(json.body.toString('utf8')).toBe('{"draft":true}');
  });

  it('arms on a page set before the middleware ran, and on one set after next() upstream', async () => {
    const base = await serve((app, honey) => {
      app.use(async (ctx, next) => {
        if (ctx.path === '/early') {
          ctx.type = 'html';
          ctx.body = PAGE;
        }
        await next();
        if (ctx.path === '/late') {
          ctx.type = 'html';
          ctx.body = PAGE;
        }
      });
      app.use(honey);
    });
    for (const path of ['/early', '/late']) {
      const html = (await raw(`${base}${path}`)).body.toString('utf8');
      expect(hasTripwire(html), path).toBe(true);
      expect(strip(html)).toBe(PAGE);
    }
  });
});
