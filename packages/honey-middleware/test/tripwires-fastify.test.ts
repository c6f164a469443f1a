import Fastify from 'fastify';
import { lobsterHoney } from '../src/adapters/fastify.js';
import { PAGE, PAGE_NO_BODY, PASS, pageStream, passHeaders } from './pages.js';
import { type MakeTripwireServer, tripwireConformance } from './tripwires.js';

const HTML = 'text/html; charset=utf-8';

const make: MakeTripwireServer = async (options) => {
  const app = Fastify();
  const honey = lobsterHoney(options);
  await app.register(honey);
  app.get('/style/string', (_req, reply) => reply.type(HTML).send(PAGE));
  app.get('/style/buffer', (_req, reply) => reply.type(HTML).send(Buffer.from(PAGE)));
  app.get<{ Querystring: { gate?: string } }>('/style/stream', (req, reply) =>
    reply.type(HTML).send(pageStream(req.query.gate ?? '')),
  );
  app.get('/fragment', (_req, reply) => reply.type(HTML).send(PAGE_NO_BODY));
  app.get<{ Params: { name: string } }>('/pass/:name', (req, reply) => {
    const want = PASS[req.params.name]!;
    if (req.params.name === 'optout') reply.lobsterTripwires = false;
    return reply.code(want.status).headers(passHeaders(req.params.name)).send(want.body);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    engine: honey.engine,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
};

tripwireConformance('Fastify 5', ['string', 'buffer', 'stream'], make);
