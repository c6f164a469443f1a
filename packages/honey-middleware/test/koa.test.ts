import { createServer } from 'node:http';
import Koa from 'koa';
import Koa2 from 'koa2';
import { lobsterHoney } from '../src/adapters/koa.js';
import { conformance, type MakeServer } from './conformance.js';
import { chunks, serveHarness } from './servers.js';

function make(KoaClass: typeof Koa): MakeServer {
  return async (options) => {
    const app = new KoaClass();
    const honey = lobsterHoney(options);
    app.use(honey as unknown as Koa.Middleware);
    app.use(async (ctx) => {
      if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.path === '/') {
        ctx.set('x-app', 'yes');
        ctx.type = 'text/plain';
        ctx.body = 'hello';
      } else if (ctx.path === '/stream') {
        ctx.type = 'text/plain';
        ctx.body = chunks();
      } else if (ctx.path === '/session') {
        ctx.body = ctx.state.lobsterHoney;
      } else if (ctx.path === '/robots.txt') {
        ctx.type = 'text/plain';
        ctx.body = 'app robots';
      } else if (ctx.method === 'POST' && ctx.path === '/echo') {
        let n = 0;
        for await (const c of ctx.req) n += (c as Buffer).length;
        ctx.type = 'text/plain';
        ctx.body = String(n);
      }
    });
    return serveHarness(createServer(app.callback()), honey);
  };
}

conformance('Koa 3', make(Koa));
conformance('Koa 2', make(Koa2 as unknown as typeof Koa));
