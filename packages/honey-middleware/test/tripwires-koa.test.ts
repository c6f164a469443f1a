import { createServer } from 'node:http';
import Koa from 'koa';
import Koa2 from 'koa2';
import { lobsterHoney } from '../src/adapters/koa.js';
import { PAGE, PAGE_NO_BODY, PASS, pageStream, passHeaders } from './pages.js';
import { listen } from './servers.js';
import { type MakeTripwireServer, tripwireConformance } from './tripwires.js';

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
    const { base, close } = await listen(createServer(app.callback()).listen(0, '127.0.0.1'));
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

const STYLES = ['string', 'buffer', 'stream'] as const;
tripwireConformance('Koa 3', STYLES, make(Koa));
tripwireConformance('Koa 2', STYLES, make(Koa2 as unknown as typeof Koa));
