// Child process for the honey-middleware benchmarks: one Express, Koa or Fastify app, bare or with
// lobsterHoney() in front, reporting its URL over IPC. BENCH_FRAMEWORK = express | koa | fastify;
// BENCH_HONEY = off (no middleware) | on (defaults: traps + page tripwires) | no-tripwires |
// sampled (tripwires on 10 % of pages) | empty (a middleware, or for Fastify an onRequest hook, that only
// passes the request on: what the framework itself charges for one more of them) | reads (the same, after
// reading what any such middleware must: method, URL and headers, and the object the adapter keeps its
// verdict in; the floor for a middleware that looks at the request at all) | listener (Express only: the
// app wrapped with withLobsterHoney() from @lobster/honey-middleware/node instead of app.use) |
// listener-no-tripwires (the same with `tripwires: false`) | locals-first (Express only: bare Express
// behind a listener that only gives the response its `res.locals` before Express takes it over, as
// withLobsterHoney does; the bare app that the listener's own cost is told against).
// Routes: GET / (hello world, text/plain), GET /page (a 20 KB HTML page as a string), GET /stream (the
// same page streamed: the first 2 KB at once, the rest 5 ms later, as a template engine flushing early).
// With a middleware, the reporter is on (an apiKey, sending to a local receiver that answers 202), so trap
// hits pay for the enqueue as in production.
import { createServer } from 'node:http';
import { Readable } from 'node:stream';

const framework = process.env.BENCH_FRAMEWORK ?? 'express';
const honey = process.env.BENCH_HONEY ?? 'off';

const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":0}'));
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const options = {
  apiKey: 'lh_bench_0123456789abcdef',
  endpoint: `http://127.0.0.1:${receiver.address().port}`,
  syncTraps: false,
  ...(honey.endsWith('no-tripwires') ? { tripwires: false } : {}),
  ...(honey === 'sampled' ? { tripwires: { sampleRate: 0.1 } } : {}),
};

const para = (i) =>
  `<p>Paragraph ${i}: hand-made kitchen knives, forged from carbon steel and shipped from Lisbon. Every blade is sharpened by hand and tested on tomatoes before it leaves the workshop, so it arrives ready to use.</p>\n`;
let body = '';
for (let i = 0; body.length < 19_500; i++) body += para(i);
export const PAGE = `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Knives</title></head>\n<body>\n<main>\n<h1>Knives</h1>\n${body}</main>\n<footer><p>Example Shop Lda.</p></footer>\n</body>\n</html>\n`;
const CUT = 2048;
const stream = () =>
  Readable.from(
    (async function* () {
      yield PAGE.slice(0, CUT);
      await new Promise((r) => setTimeout(r, 5));
      yield PAGE.slice(CUT);
    })(),
  );

/** The `reads` variant checks what it read, as a real middleware would use it. */
const requireAll = (...values) => {
  if (values.some((v) => v === undefined)) throw new Error('reads: a request field is missing');
};

let server;
if (framework === 'express') {
  const { default: express } = await import('express');
  const app = express();
  if (honey === 'empty') app.use((_req, _res, next) => next());
  else if (honey === 'reads')
    app.use((req, res, next) => {
      requireAll(req.method, req.originalUrl, req.headers, res.locals, req.res);
      next();
    });
  else if (honey !== 'off' && honey !== 'locals-first' && !honey.startsWith('listener'))
    app.use((await import('@lobster/honey-middleware/express')).lobsterHoney(options));
  app.get('/', (_req, res) => res.type('text').send('hello world'));
  app.get('/page', (_req, res) => res.type('html').send(PAGE));
  app.get('/stream', (_req, res) => {
    res.type('html');
    stream().pipe(res);
  });
  if (honey.startsWith('listener'))
    server = createServer((await import('@lobster/honey-middleware/node')).withLobsterHoney(app, options));
  else if (honey === 'locals-first')
    server = createServer((req, res) => {
      res.locals = Object.create(null);
      app(req, res);
    });
  else server = createServer(app);
} else if (framework === 'koa') {
  const { default: Koa } = await import('koa');
  const app = new Koa();
  // A load generator that stops mid-pipeline leaves writes to closed sockets; Koa would print each one.
  app.on('error', (e) => {
    if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') console.error(e);
  });
  if (honey === 'empty') app.use((_ctx, next) => next());
  else if (honey === 'reads')
    app.use((ctx, next) => {
      requireAll(ctx.method, ctx.originalUrl, ctx.headers, ctx.state);
      return next();
    });
  else if (honey !== 'off') app.use((await import('@lobster/honey-middleware/koa')).lobsterHoney(options));
  app.use((ctx) => {
    if (ctx.path === '/') ctx.body = 'hello world';
    else if (ctx.path === '/page') {
      ctx.type = 'html';
      ctx.body = PAGE;
    } else if (ctx.path === '/stream') {
      ctx.type = 'html';
      ctx.body = stream();
    }
  });
  server = createServer(app.callback());
} else {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  if (honey === 'empty' || honey === 'reads') {
    const { default: fp } = await import('fastify-plugin');
    const hook =
      honey === 'empty'
        ? (_request, _reply, done) => done()
        : (request, reply, done) => {
            requireAll(request.method, request.url, request.headers, reply.raw);
            done();
          };
    await app.register(fp(async (a) => a.addHook('onRequest', hook)));
  } else if (honey !== 'off')
    await app.register((await import('@lobster/honey-middleware/fastify')).lobsterHoney(options));
  app.get('/', (_req, reply) => reply.type('text/plain').send('hello world'));
  app.get('/page', (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/stream', (_req, reply) => reply.type('text/html; charset=utf-8').send(stream()));
  await app.ready();
  server = app.server;
}
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send({ url: `http://127.0.0.1:${server.address().port}`, framework, honey });
});
process.on('disconnect', () => process.exit(0));
