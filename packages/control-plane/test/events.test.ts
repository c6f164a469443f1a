import { EventSource } from 'eventsource';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../src/app.js';
import { appendEvents } from '../src/events/log.js';
import { createOrgWithAdminKey } from '../src/orgs/bootstrap.js';
import { wireHit } from './fixtures.js';
import { call, dropTestDatabases, startServer, type TestServer, targets } from './helpers.js';
import { rawStream, until } from './sse-client.js';

afterAll(dropTestDatabases);

/** Appends events through the log's own writer, in one transaction, in array order. */
async function write(app: ControlPlane, orgId: string, types: string[], data: Record<string, unknown> = {}) {
  await app.db.transaction((m) =>
    appendEvents(
      m,
      types.map((type, i) => ({ orgId, type, data: { ...data, i } })),
      Date.now(),
    ),
  );
}

/** Every event id of the org, oldest first, read through the list API. */
async function allIds(url: string, key: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${cursor}` : '';
    const page = await call(`${url}/api/v1/events?limit=100${q}`, { key });
    expect(page.status).toBe(200);
    ids.push(...page.body.events.map((e: { id: string }) => e.id));
    cursor = page.body.next_cursor;
  } while (cursor);
  return ids.reverse();
}

function eventSource(url: string, key: string, lastEventId?: string): EventSource {
  return new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: {
          ...(init?.headers as Record<string, string>),
          Authorization: `Bearer ${key}`,
          ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
        },
      }),
  });
}

/** Collects `{id, type}` of every message of the given types an EventSource receives. */
function collect(es: EventSource, types: string[]): { id: string; type: string; data: unknown }[] {
  const got: { id: string; type: string; data: unknown }[] = [];
  for (const type of types) {
    es.addEventListener(type, (m) => got.push({ id: m.lastEventId, type, data: JSON.parse(m.data) }));
  }
  return got;
}

const opened = (es: EventSource) =>
  new Promise<void>((resolve, reject) => {
    es.onopen = () => resolve();
    es.onerror = (e) => (es.readyState === es.CLOSED ? reject(e) : undefined);
  });

describe.each(targets)('events list on $name', (target) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ databaseUrl: target.freshUrl() });
  });
  afterEach(() => server.close());

  it('lists newest first with the seed shape, pages by cursor and filters by type, since and until', async () => {
    const before = await allIds(server.url, server.adminKey);
    await write(server.app, server.orgId, ['trap.created', 'trap.updated', 'cage.created', 'trap.deleted']);
    const first = await call(`${server.url}/api/v1/events?limit=2`, { key: server.adminKey });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['events', 'has_more', 'next_cursor']);
    expect(first.body.events.map((e: { type: string }) => e.type)).toEqual(['trap.deleted', 'cage.created']);
    const event = first.body.events[0];
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_[0-9A-Za-z]{24}$/),
      type: 'trap.deleted',
      api_version: '2024-01-01',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { i: 3 },
    });
    expect(first.body.has_more).toBe(true);
    expect(first.body.next_cursor).toBe(first.body.events[1].id);
    const second = await call(`${server.url}/api/v1/events?limit=2&cursor=${first.body.next_cursor}`, {
      key: server.adminKey,
    });
    expect(second.body.events.map((e: { type: string }) => e.type)).toEqual(['trap.updated', 'trap.created']);
    expect(await allIds(server.url, server.adminKey)).toHaveLength(before.length + 4);

    const types = async (query: string) =>
      (await call(`${server.url}/api/v1/events?${query}`, { key: server.adminKey })).body.events.map(
        (e: { type: string }) => e.type,
      );
    expect(await types('type=trap.updated')).toEqual(['trap.updated']);
    expect(await types('type=trap.')).toEqual(['trap.deleted', 'trap.updated', 'trap.created']);
    expect(await types('type=cage.')).toEqual(['cage.created']);
    expect(await types('type=trap')).toEqual([]);

    const at = first.body.events[0].created_at as string;
    const later = new Date(Date.parse(at) + 1).toISOString();
    expect(await types(`since=${later}`)).toEqual([]);
    expect((await types(`since=${at}&type=trap.`)).length).toBe(3);
    expect(await types(`until=${at}&type=trap.`)).toEqual([]);
    expect((await types(`until=${later}&type=cage.`)).length).toBe(1);
  });

  it('refuses bad, unknown and foreign cursors and bad filters with 400 naming them', async () => {
    await write(server.app, server.orgId, ['trap.created']);
    const get = (query: string, key = server.adminKey) =>
      call(`${server.url}/api/v1/events?${query}`, { key });
    const malformed = await get('cursor=nonsense');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({
      success: false,
      error: 'cursor: "nonsense" is not an event id',
      code: 'VALIDATION_ERROR',
    });
    const unknown = await get('cursor=evt_000000000000000000000000');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('cursor: unknown cursor "evt_000000000000000000000000"');

    const other = await createOrgWithAdminKey(server.app.db, { name: 'Other' }, Date.now());
    await write(server.app, other.org.id, ['trap.created']);
    const theirs = (await get('limit=1', other.apiKey)).body.events[0].id;
    const foreign = await get(`cursor=${theirs}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toBe(`cursor: unknown cursor "${theirs}"`);
    // Each org sees only its own events.
    const mine = await allIds(server.url, server.adminKey);
    expect(mine).not.toContain(theirs);

    expect((await get('limit=101')).body.error).toMatch(/^limit: /);
    expect((await get('since=yesterday')).body.error).toMatch(/^since: /);
    expect((await get('type=Trap!')).body.error).toMatch(/^type: /);
    expect((await get('colour=red')).body.error).toBe('colour: unknown field');

    const ingest = (
      await call(`${server.url}/v1/apikeys`, {
        method: 'POST',
        key: server.adminKey,
        body: { name: 'site', scope: 'ingest' },
      })
    ).body.key;
    expect((await get('', ingest)).status).toBe(403);
  });

  it('lists a cage’s events on the LobsterCage surface (empty until cages write events)', async () => {
    await write(server.app, server.orgId, ['trap.created']);
    const res = await call(`${server.url}/v1/cages/cage_unknown/events`, { key: server.adminKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], hasMore: false, nextCursor: null });
    await server.app.db.transaction((m) =>
      appendEvents(
        m,
        [1, 2, 3].map((i) => ({ orgId: server.orgId, type: 'cage.started', cageId: 'cage_a', data: { i } })),
        Date.now(),
      ),
    );
    const page = await call(`${server.url}/v1/cages/cage_a/events?limit=2`, { key: server.adminKey });
    expect(page.body.data.map((e: { data: { i: number } }) => e.data.i)).toEqual([3, 2]);
    expect(page.body.data[0]).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'cage.started',
      apiVersion: '2024-01-01',
      createdAt: expect.any(String),
      data: { i: 3 },
    });
    expect(page.body.hasMore).toBe(true);
    const rest = await call(`${server.url}/v1/cages/cage_a/events?cursor=${page.body.nextCursor}`, {
      key: server.adminKey,
    });
    expect(rest.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(rest.body.data.map((e: { data: { i: number } }) => e.data.i)).toEqual([1]);
    const bad = await call(`${server.url}/v1/cages/cage_a/events?cursor=x`, { key: server.adminKey });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { code: 'VALIDATION_ERROR', message: 'cursor: "x" is not an event id' },
    });
  });

  it('pages through the whole log exactly once while writers keep ingesting', async () => {
    const ingestKey = (
      await call(`${server.url}/v1/apikeys`, {
        method: 'POST',
        key: server.adminKey,
        body: { name: 'site', scope: 'ingest' },
      })
    ).body.key;
    await write(
      server.app,
      server.orgId,
      Array.from({ length: 150 }, () => 'signal.fired'),
    );
    const existing = await allIds(server.url, server.adminKey);
    let writing = true;
    const writers = [0, 1, 2].map(async (w) => {
      let n = 0;
      while (writing) {
        const hits = [0, 1, 2].map((k) =>
          wireHit({ fingerprint: `fp-${w}-${n}-${k}`, ip: `198.51.100.${w}`, path: '/.env' }),
        );
        const res = await call(`${server.url}/api/v1/ingest`, {
          method: 'POST',
          key: ingestKey,
          body: { site: 'shop.example.com', hits },
        });
        expect(res.status).toBe(202);
        n++;
      }
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const page = await call(`${server.url}/api/v1/events?limit=7${q}`, { key: server.adminKey });
      expect(page.status).toBe(200);
      seen.push(...page.body.events.map((e: { id: string }) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    writing = false;
    await Promise.all(writers);
    expect(new Set(seen).size).toBe(seen.length);
    const seenSet = new Set(seen);
    expect(existing.filter((id) => !seenSet.has(id))).toEqual([]);
    // What the pager saw is the log's order, newest first, among events that existed when it passed.
    const log = await allIds(server.url, server.adminKey);
    const order = new Map(log.map((id, i) => [id, i]));
    const positions = seen.map((id) => order.get(id) as number);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
  });
});

describe.each(targets)('event stream on $name', (target) => {
  let server: TestServer;
  let databaseUrl: string;
  beforeEach(async () => {
    databaseUrl = target.freshUrl();
    server = await startServer({
      databaseUrl,
      eventStreams: { heartbeatMs: 50, maxStreamsPerKey: 3, maxBufferedBytes: 256 * 1024, retryMs: 100 },
    });
  });
  afterEach(() => server.close());

  const streamUrl = (query = '') => `${server.url}/api/v1/events/stream${query}`;

  it('delivers new events live with id, event and data, filtered by type', async () => {
    await write(server.app, server.orgId, ['trap.created']);
    const all = eventSource(streamUrl(), server.adminKey);
    const traps = eventSource(streamUrl('?type=trap.'), server.adminKey);
    const got = collect(all, ['trap.created', 'cage.created', 'apikey.created']);
    const gotTraps = collect(traps, ['trap.created', 'cage.created', 'apikey.created']);
    await Promise.all([opened(all), opened(traps)]);
    await call(`${server.url}/dashboard/api/traps`, {
      method: 'POST',
      key: server.adminKey,
      body: { name: 'Backup', path: '/backup.zip', type: 'file' },
    });
    await write(server.app, server.orgId, ['cage.created', 'trap.created']);
    await until(() => got.length === 3 && gotTraps.length === 2);
    all.close();
    traps.close();
    expect(got.map((e) => e.type)).toEqual(['trap.created', 'cage.created', 'trap.created']);
    expect(got[0]?.data).toMatchObject({ type: 'trap.created', api_version: '2024-01-01', id: got[0]?.id });
    expect(got[0]?.data).toMatchObject({ data: { path: '/backup.zip' } });
    expect(gotTraps.map((e) => e.id)).toEqual([got[0]?.id, got[2]?.id]);
  });

  it('sends a heartbeat comment and the retry interval', async () => {
    const s = await rawStream(streamUrl(), { Authorization: `Bearer ${server.adminKey}` });
    expect(s.status).toBe(200);
    await until(() => s.frames.filter((f) => f.comment === 'heartbeat').length >= 2);
    expect(s.frames[0]).toEqual({ retry: '100' });
    s.close();
  });

  it('resumes after a dropped connection from Last-Event-ID or ?cursor= with no gap and no duplicate', async () => {
    const types = ['signal.fired'];
    const first = eventSource(streamUrl(), server.adminKey);
    const got = collect(first, types);
    await opened(first);
    await write(server.app, server.orgId, ['signal.fired', 'signal.fired', 'signal.fired']);
    await until(() => got.length === 3);
    first.close();
    await write(server.app, server.orgId, ['signal.fired', 'signal.fired']);
    const resumed = eventSource(streamUrl(), server.adminKey, got[2]?.id);
    const more = collect(resumed, types);
    await write(server.app, server.orgId, ['signal.fired']);
    await until(() => more.length === 3);
    const byCursor = eventSource(streamUrl(`?cursor=${got[0]?.id}`), server.adminKey);
    const fromCursor = collect(byCursor, types);
    await until(() => fromCursor.length === 5);
    resumed.close();
    byCursor.close();
    const log = await allIds(server.url, server.adminKey);
    expect([...got, ...more].map((e) => e.id)).toEqual(log.slice(-6));
    expect(fromCursor.map((e) => e.id)).toEqual(log.slice(-5));

    const bad = await call(streamUrl(), { key: server.adminKey, headers: { 'Last-Event-ID': 'evt_nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      success: false,
      error: 'Last-Event-ID: unknown cursor "evt_nope"',
      code: 'VALIDATION_ERROR',
    });
  });

  it('resumes across a control-plane restart on the same database', async () => {
    const port = Number(new URL(server.url).port);
    const es = eventSource(streamUrl(), server.adminKey);
    const got = collect(es, ['signal.fired']);
    await opened(es);
    await write(server.app, server.orgId, ['signal.fired', 'signal.fired']);
    await until(() => got.length === 2);
    await server.app.close();
    const { createApp } = await import('../src/app.js');
    const { silentLogger } = await import('./helpers.js');
    const next = await createApp({ databaseUrl, logger: silentLogger, eventStreams: { retryMs: 100 } });
    server.app = next;
    server.close = () => next.close(1_000);
    // Written before the client is back: it must get them by resuming, not live.
    await write(next, server.orgId, ['signal.fired', 'signal.fired', 'signal.fired']);
    await next.listen(port);
    await until(() => got.length === 5);
    await write(next, server.orgId, ['signal.fired']);
    await until(() => got.length === 6);
    es.close();
    const log = await allIds(server.url, server.adminKey);
    expect(got.map((e) => e.id)).toEqual(log.slice(-6));
  });

  it('caps concurrent streams per key with 429 and frees the slot when one closes', async () => {
    const auth = { Authorization: `Bearer ${server.adminKey}` };
    const streams = await Promise.all([1, 2, 3].map(() => rawStream(streamUrl(), auth)));
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await call(streamUrl(), { key: server.adminKey });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, code: 'TOO_MANY_STREAMS' });
    // Another key has its own allowance.
    const other = (
      await call(`${server.url}/v1/apikeys`, {
        method: 'POST',
        key: server.adminKey,
        body: { name: 'reader', scope: 'read-only' },
      })
    ).body.key;
    const theirs = await rawStream(streamUrl(), { Authorization: `Bearer ${other}` });
    expect(theirs.status).toBe(200);
    theirs.close();
    streams[0]?.close();
    let again = await rawStream(streamUrl(), auth);
    while (again.status !== 200) {
      await new Promise((r) => setTimeout(r, 10));
      again = await rawStream(streamUrl(), auth);
    }
    for (const s of [...streams, again]) s.close();
  });

  it('cuts off a reader that stops reading; it resumes from its last id and misses nothing', async () => {
    const auth = { Authorization: `Bearer ${server.adminKey}` };
    await write(server.app, server.orgId, ['trap.created']);
    const mark = (await allIds(server.url, server.adminKey)).at(-1) as string;
    const slow = await rawStream(streamUrl(), auth);
    slow.pause();
    const padding = 'x'.repeat(32 * 1024);
    for (let i = 0; i < 4; i++) {
      await write(
        server.app,
        server.orgId,
        Array.from({ length: 200 }, () => 'signal.fired'),
        { padding },
      );
    }
    const cut = async () => {
      const metrics = await call(`${server.url}/metrics`);
      return /^lobster_event_streams_cut_total 1$/m.test(metrics.body as string);
    };
    await until(cut);
    slow.resume();
    await slow.ended;
    const received = slow.frames.filter((f) => f.id).map((f) => f.id as string);
    expect(received.length).toBeLessThan(800);
    // The reset may discard what the client had not read yet; it resumes from the last id it did read.
    const resumed = await rawStream(streamUrl(), { ...auth, 'Last-Event-ID': received.at(-1) ?? mark });
    await until(() => received.length + resumed.frames.filter((f) => f.id).length >= 800);
    resumed.close();
    const all = [...received, ...resumed.frames.filter((f) => f.id).map((f) => f.id as string)];
    expect(all).toEqual((await allIds(server.url, server.adminKey)).slice(-800));
  });
});

if (targets.some((t) => t.name === 'postgres')) {
  const pgTarget = targets.find((t) => t.name === 'postgres') as (typeof targets)[number];

  describe('event stream ordering on two PostgreSQL instances', () => {
    it('delivers every event exactly once to readers that drop and resume at random points', async () => {
      const databaseUrl = pgTarget.freshUrl();
      const a = await startServer({ databaseUrl, eventStreams: { maxStreamsPerKey: 20 } });
      const { startInstance } = await import('./helpers.js');
      const b = await startInstance({ databaseUrl, eventStreams: { maxStreamsPerKey: 20 } });
      const apps = [a.app, b.app];
      const urls = [a.url, b.url];
      const auth = { Authorization: `Bearer ${a.adminKey}` };
      try {
        const before = new Set(await allIds(a.url, a.adminKey));
        // Readers start at "now", before any writer.
        const readers = await Promise.all(
          [0, 1, 2, 3].map(async (r) => ({
            r,
            ids: [] as string[],
            first: await rawStream(`${urls[r % 2]}/api/v1/events/stream`, auth),
          })),
        );
        let writing = true;
        // Writers hold their transaction open for a random while after taking their seqs, so later seqs
        // commit first: exactly the case a naive tail by seq would skip.
        const writers = [0, 1, 2, 3, 4, 5].map(async (w) => {
          for (let n = 0; n < 15; n++) {
            await apps[w % 2]?.db.transaction(async (m) => {
              await appendEvents(
                m,
                [0, 1].map((k) => ({ orgId: a.orgId, type: 'signal.fired', data: { w, n, k } })),
                Date.now(),
              );
              await new Promise((r) => setTimeout(r, Math.random() * 30));
            });
          }
        });
        const reading = readers.map(async (reader) => {
          let stream = reader.first;
          let taken = 0;
          let budget = 1 + Math.floor(Math.random() * 20);
          for (;;) {
            const frames = stream.frames.filter((f) => f.id);
            while (taken < frames.length && budget > 0) {
              reader.ids.push(frames[taken]?.id as string);
              taken++;
              budget--;
            }
            if (!writing && reader.ids.length >= 180) break;
            if (budget === 0) {
              // Drop the connection and resume on a random instance from the last id taken.
              stream.close();
              const last = reader.ids.at(-1);
              const url = urls[Math.floor(Math.random() * 2)];
              stream = await rawStream(
                `${url}/api/v1/events/stream`,
                last ? { ...auth, 'Last-Event-ID': last } : auth,
              );
              taken = 0;
              budget = 1 + Math.floor(Math.random() * 20);
            } else {
              await new Promise((r) => setTimeout(r, 5));
            }
          }
          stream.close();
        });
        await Promise.all(writers);
        writing = false;
        await Promise.all(reading);
        const log = (await allIds(a.url, a.adminKey)).filter((id) => !before.has(id));
        expect(log).toHaveLength(180);
        for (const reader of readers) expect(reader.ids).toEqual(log);
      } finally {
        await b.app.close(1_000);
        await a.close();
      }
    });
  });
}
