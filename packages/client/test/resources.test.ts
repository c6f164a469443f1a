import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobsterClient } from '../src/index.js';
import { ingest, removeTestDatabases, startServer, type TestServer, wireHit } from './server.js';

/** Every resource method against a real control plane. */
describe('resources round-trip', () => {
  let server: TestServer;
  let lobster: LobsterClient;
  let receiver: Server;
  let receiverUrl: string;
  const received: string[] = [];

  beforeAll(async () => {
    server = await startServer({ allowPrivateWebhooks: true });
    lobster = server.client();
    // The alert test message goes to a real webhook receiver on loopback.
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => receiver.close(resolve));
    removeTestDatabases();
  });

  it('whoami names the org and scope', async () => {
    const me = await lobster.whoami();
    expect(me).toMatchObject({ orgId: server.orgId, scope: 'admin', credential: 'apikey' });
    expect(me.keyId).toMatch(/.+/);
  });

  it('apiKeys: create, get, list, revoke', async () => {
    const created = await lobster.apiKeys.create({ name: 'ci', scope: 'read-only' });
    expect(created.key).toMatch(/^lh_[0-9A-Za-z]{32}$/);
    expect(created.prefix).toBe(created.key.slice(0, 8));
    const { key: _key, ...shown } = created;
    expect(await lobster.apiKeys.get(created.id)).toEqual(shown);
    const page = await lobster.apiKeys.list();
    expect(page.data.map((k) => k.id)).toContain(created.id);
    expect(page).toMatchObject({ hasMore: false, nextCursor: null });
    const revoked = await lobster.apiKeys.revoke(created.id);
    expect(revoked.id).toBe(created.id);
    expect(revoked.revokedAt).toEqual(expect.any(String));
    const ids = [];
    for await (const k of lobster.apiKeys.list()) ids.push(k.id);
    expect(ids).not.toContain(created.id);
  });

  it('traps: create, get, list, update, enable, disable, delete', async () => {
    const defaults = await lobster.traps.list();
    expect(defaults.data.length).toBeGreaterThan(0); // a new org gets the default set
    const trap = await lobster.traps.create({ name: 'API Config Trap', path: '/api/v2/config', type: 'api' });
    expect(trap).toMatchObject({ name: 'API Config Trap', path: '/api/v2/config', type: 'api', active: 1 });
    expect(await lobster.traps.get(trap.id)).toEqual(trap);
    expect((await lobster.traps.disable(trap.id)).active).toBe(0);
    expect((await lobster.traps.enable(trap.id)).active).toBe(1);
    expect((await lobster.traps.update(trap.id, { description: 'decoy' })).description).toBe('decoy');
    const all = [];
    for await (const t of lobster.traps.list()) all.push(t.id);
    expect(all).toEqual([...defaults.data.map((t) => t.id), trap.id]);
    expect(await lobster.traps.delete(trap.id)).toEqual({ id: trap.id, deleted: true });
    expect((await lobster.traps.list()).data.map((t) => t.id)).not.toContain(trap.id);
  });

  it('sessions, analytics: list, get, overview, severity, timeline, traps', async () => {
    const ingestKey = (await lobster.apiKeys.create({ name: 'site', scope: 'ingest' })).key;
    await ingest(server, ingestKey, [wireHit(), wireHit({ path: '/.env', ts: new Date().toISOString() })]);
    const page = await lobster.sessions.list({ limit: 5 });
    expect(page).toMatchObject({ hasMore: false, nextOffset: null });
    const [summary] = page.data;
    expect(summary).toMatchObject({ source_ip: '203.0.113.42', hit_count: 2, site: 'shop.example.com' });
    const detail = await lobster.sessions.get(summary!.id);
    expect(detail).toMatchObject({ id: summary!.id, hits_total: 2 });
    expect(detail.hits).toHaveLength(2);

    expect(await lobster.analytics.overview()).toMatchObject({ totalHits24h: 2 });
    const severity = await lobster.analytics.severity({ period: '24h' });
    expect(Object.keys(severity).sort()).toEqual(['critical', 'high', 'low', 'medium']);
    const timeline = await lobster.analytics.timeline({ site: 'shop.example.com' });
    expect(timeline).toHaveLength(24);
    expect(timeline.reduce((n, b) => n + b.hits, 0)).toBe(2);
    expect(await lobster.analytics.traps({ period: '7d' })).toEqual([
      expect.objectContaining({ trap_id: 'trap-env', hits: 2 }),
    ]);
  });

  it('alerts: create, get, list, update, test, delete', async () => {
    const channel = await lobster.alerts.create({ name: 'ops', type: 'webhook', url: receiverUrl });
    expect(channel.signing_secret).toMatch(/^whsec_/);
    expect(channel).toMatchObject({ name: 'ops', type: 'webhook', min_severity: 'low', enabled: 1 });
    expect(await lobster.alerts.get(channel.id)).toMatchObject({
      id: channel.id,
      deliveries: { pending: 0, delivered: 0, failed: 0 },
    });
    expect((await lobster.alerts.list()).data.map((c) => c.id)).toEqual([channel.id]);
    expect((await lobster.alerts.update(channel.id, { min_severity: 'high' })).min_severity).toBe('high');
    const test = await lobster.alerts.test(channel.id);
    expect(test).toMatchObject({ delivered: true, response_status: 200, error: null });
    expect(JSON.parse(received.at(-1)!)).toMatchObject({ type: 'alert.test' });
    expect(await lobster.alerts.delete(channel.id)).toEqual({ id: channel.id, deleted: true });
    expect((await lobster.alerts.list()).data).toEqual([]);
  });

  it('events: list with filters', async () => {
    await lobster.traps.create({ name: 'Events probe', path: '/events-probe', type: 'page' });
    const page = await lobster.events.list({ type: 'trap.created', limit: 1 });
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({
      type: 'trap.created',
      data: expect.objectContaining({ path: '/events-probe' }),
    });
    expect(page.hasMore).toBe(true); // the trap test created one before
    const byPrefix = [];
    for await (const e of lobster.events.list({ type: 'apikey.' })) byPrefix.push(e.type);
    expect(new Set(byPrefix)).toEqual(new Set(['apikey.created', 'apikey.revoked']));
  });
});
