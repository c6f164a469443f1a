import Fastify from 'fastify';
import { lobsterHoney } from '../src/adapters/fastify.js';
import { conformance, type MakeServer } from './conformance.js';
import { chunks } from './servers.js';

const make: MakeServer = async (options) => {
  const app = Fastify();
  const honey = lobsterHoney(options);
  await app.register(honey);
  app.get('/', (_req, reply) => reply.header('x-app', 'yes').type('text/plain').send('hello'));
  app.get('/stream', (_req, reply) => reply.type('text/plain').send(chunks()));
  app.get('/session', (req, reply) => reply.send(req.lobsterHoney));
  app.get('/robots.txt', (_req, reply) => reply.type('text/plain').send('app robots'));
  app.post('/echo', (req, reply) => reply.type('text/plain').send(String(String(req.body).length)));
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

conformance('Fastify 5', make);
