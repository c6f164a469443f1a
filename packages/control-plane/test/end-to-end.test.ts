import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HoneyEngine } from '@lobster/honey-middleware';
import { lobsterHoney as expressHoney } from '@lobster/honey-middleware/express';
import { lobsterHoney as fastifyHoney } from '@lobster/honey-middleware/fastify';
import { lobsterHoney as koaHoney } from '@lobster/honey-middleware/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, dropTestDatabases, newKey, startServer, type TestServer, targets } from './helpers.js';
import { AGENT_IDENTITY, agent, crawler, person, UA } from './visitors.js';

afterAll(dropTestDatabases);

const PAGES: Record<string, string> = {
  '/': '<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1><a href="/products">Products</a> <a href="/about">About</a></body></html>',
  '/products': '<!doctype html><html><body><h1>Products</h1><a href="/">Home</a></body></html>',
  '/about': '<!doctype html><html><body><h1>About us</h1><a href="/">Home</a></body></html>',
};

interface Site {
  origin: string;
  engine: HoneyEngine;
  close(): Promise<void>;
}

type Options = Parameters<typeof expressHoney>[0];

/** A Node server running an app with `honey` in it, as a `Site` (closing flushes the reporter first). */
async function serve(
  server: Server,
  honey: { engine: Site['engine']; close(): Promise<void> },
): Promise<Site> {
  if (!server.listening) await new Promise((r) => server.once('listening', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    engine: honey.engine,
    close: async () => {
      await honey.close();
      server.close();
    },
  };
}

/** The same little shop in each framework, with `lobsterHoney()` reporting to the real control plane. */
const SITES: Record<string, (options: Options) => Promise<Site>> = {
  async express(options) {
    const honey = expressHoney(options);
    const app = express();
    app.use(honey);
    for (const [path, html] of Object.entries(PAGES))
      app.get(path, (_req, res) => void res.type('html').send(html));
    return serve(app.listen(0, '127.0.0.1'), honey);
  },
  async koa(options) {
    const honey = koaHoney(options);
    const app = new Koa();
    app.use(honey);
    app.use(async (ctx, next) => {
      const html = PAGES[ctx.path];
      if (!html) return next();
      ctx.type = 'html';
      ctx.body = html;
    });
    return serve(app.listen(0, '127.0.0.1'), honey);
  },
  async fastify(options) {
    const honey = fastifyHoney(options);
    const app = Fastify();
    await app.register(honey);
    for (const [path, html] of Object.entries(PAGES))
      app.get(path, async (_req, reply) => reply.type('text/html').send(html));
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    return { origin, engine: honey.engine, close: () => app.close() };
  },
};

describe.each(targets)('end to end on $name', (target) => {
  let server: TestServer;
  let ingestKey: string;

  beforeEach(async () => {
    server = await startServer({ databaseUrl: target.freshUrl() });
    ingestKey = await newKey(server, 'ingest', 'website');
  });
  afterEach(() => server.close());

  for (const framework of Object.keys(SITES)) {
    it(`${framework}: a person stays HUMAN, a crawler is a BOT, an agent is AI_AGENT_MALICIOUS`, async () => {
      const site = await SITES[framework]!({
        apiKey: ingestKey,
        endpoint: server.url,
        reporter: { flushIntervalMs: 50 },
      });
      try {
        expect(await site.engine.refreshTraps()).toBe(true);
        await person(site.origin, ['/', '/products', '/about']);
        const crawled = await crawler(site.origin);
        expect(crawled.length).toBeGreaterThan(4);
        await agent(site.origin);
        await site.engine.flush();
      } finally {
        await site.close();
      }

      const list = await call(`${server.url}/dashboard/api/sessions?limit=100`, { key: server.adminKey });
      expect(list.status).toBe(200);
      const byAgent = new Map(list.body.data.map((s: { user_agent: string }) => [s.user_agent, s]));
      const human = byAgent.get(UA.person) as Record<string, unknown>;
      const bot = byAgent.get(UA.crawler) as Record<string, unknown>;
      const ai = byAgent.get(UA.agent) as Record<string, unknown>;

      // Field by field, as in the seed's session example.
      for (const s of [human, bot, ai]) {
        expect(s).toBeDefined();
        expect(s).toEqual(
          expect.objectContaining({
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            source_ip: '127.0.0.1',
            user_agent: expect.any(String),
            classification: expect.stringMatching(/^(HUMAN|BOT|AI_AGENT|AI_AGENT_MALICIOUS)$/),
            score: expect.any(Number),
            confidence: expect.any(Number),
            severity: expect.stringMatching(/^(critical|high|medium|low)$/),
            signals_fired: expect.any(Array),
            first_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            last_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            hit_count: expect.any(Number),
          }),
        );
      }
      expect(human).toMatchObject({ classification: 'HUMAN', signals_fired: ['ROBOTS_FIRST'], hit_count: 1 });

      expect(bot.classification).toBe('BOT');
      expect(bot.signals_fired).toContain('CALLBACK_HIT');
      for (const ai_signal of ['INJECTION_FOLLOWED', 'SYSTEM_PROMPT_LEAKED', 'IDENTITY_EXTRACTED']) {
        expect(bot.signals_fired).not.toContain(ai_signal);
      }
      const botDetail = (
        await call(`${server.url}/dashboard/api/sessions/${bot.id}`, { key: server.adminKey })
      ).body.data;
      const reaches = new Set(
        botDetail.hits
          .filter((h: { token: unknown }) => h.token)
          .map((h: { token: { reach: string } }) => h.token.reach),
      );
      expect([...reaches]).toEqual(['link']);

      expect(ai).toMatchObject({
        classification: 'AI_AGENT_MALICIOUS',
        severity: 'critical',
        model_family: 'GPT',
      });
      expect(ai.signals_fired).toEqual(
        expect.arrayContaining([
          'CALLBACK_HIT',
          'HIDDEN_CONTENT_ACTED_ON',
          'INJECTION_FOLLOWED',
          'SYSTEM_PROMPT_LEAKED',
          'IDENTITY_EXTRACTED',
          'CREDENTIAL_USED',
          'CREDENTIAL_EXTRACTED',
        ]),
      );
      const aiDetail = (await call(`${server.url}/dashboard/api/sessions/${ai.id}`, { key: server.adminKey }))
        .body.data;
      expect(aiDetail.extracted).toEqual({ ...AGENT_IDENTITY, model_family: 'GPT' });
      expect(aiDetail.hits.map((h: { type: string }) => h.type)).toEqual(
        expect.arrayContaining(['trap_hit', 'callback', 'extraction', 'credential_use']),
      );

      // The analytics overview in the seed's shape.
      const overview = (
        await call(`${server.url}/dashboard/api/analytics/overview`, { key: server.adminKey })
      ).body;
      expect(overview).toEqual({
        success: true,
        data: {
          totalHits24h: expect.any(Number),
          agentsDetected: 1,
          tripwiresFired: expect.any(Number),
          promptsCaptured: 1,
          activeTraps: 11,
        },
      });
      const severity = (
        await call(`${server.url}/dashboard/api/analytics/severity`, { key: server.adminKey })
      ).body.data;
      expect(severity.critical).toBe(1);
    });
  }
});
