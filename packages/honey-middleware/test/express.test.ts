import express from 'express';
import express4 from 'express4';
import { lobsterHoney } from '../src/adapters/express.js';
import { conformance, type MakeServer } from './conformance.js';
import { chunks, listen } from './servers.js';

function make(factory: typeof express): MakeServer {
  return async (options) => {
    const app = factory();
    const honey = lobsterHoney(options);
    app.use(honey);
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

conformance('Express 5', make(express));
conformance('Express 4', make(express4 as unknown as typeof express));
