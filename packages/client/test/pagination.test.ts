import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobsterClient } from '../src/index.js';
import { ingest, removeTestDatabases, startServer, type TestServer, wireHit } from './server.js';

describe('pagination walks every item exactly once', () => {
  let server: TestServer;
  let lobster: LobsterClient;
  const created: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    lobster = server.client();
    for (let i = 0; i < 45; i++)
      created.push((await lobster.apiKeys.create({ name: `key-${i}`, scope: 'read-only' })).id);
  });
  afterAll(async () => {
    await server.close();
    removeTestDatabases();
  });

  it('API keys by cursor: 46 keys in pages of 10', async () => {
    const first = await lobster.apiKeys.list({ limit: 10 });
    expect(first.data).toHaveLength(10);
    expect(first.hasMore).toBe(true);
    expect(first.nextCursor).toEqual(expect.any(String));

    const pages: number[] = [];
    const counting = server.client({
      fetch: (input, init) => {
        if (String(input).includes('/v1/apikeys')) pages.push(1);
        return fetch(input, init);
      },
    });
    const ids: string[] = [];
    for await (const key of counting.apiKeys.list({ limit: 10 })) ids.push(key.id);
    expect(ids).toHaveLength(46); // 45 + the admin key
    expect(new Set(ids).size).toBe(46);
    expect(ids).toEqual(expect.arrayContaining(created));
    expect(ids.slice(0, 45)).toEqual([...created].reverse()); // newest first
    expect(pages).toHaveLength(5);

    // A page's nextCursor continues where it ended.
    const second = await lobster.apiKeys.list({ limit: 10, cursor: first.nextCursor! });
    expect(second.data.map((k) => k.id)).toEqual(ids.slice(10, 20));
  });

  it('events by cursor: every apikey.created event once, newest first', async () => {
    const ids: string[] = [];
    for await (const e of lobster.events.list({ type: 'apikey.created', limit: 7 }))
      ids.push(e.data.id as string);
    expect(ids).toHaveLength(46); // the org's first admin key was an event too
    expect(new Set(ids).size).toBe(46);
    expect(ids.slice(0, 45)).toEqual([...created].reverse());
  });

  it('sessions by offset: 25 sessions in pages of 10', async () => {
    const ingestKey = (await lobster.apiKeys.create({ name: 'site', scope: 'ingest' })).key;
    await ingest(
      server,
      ingestKey,
      Array.from({ length: 25 }, (_, i) => wireHit({ fingerprint: `fp-${i}`, ip: `198.51.${i}.7` })),
    );
    const first = await lobster.sessions.list({ limit: 10 });
    expect(first).toMatchObject({ hasMore: true, nextOffset: 10 });
    const ids: string[] = [];
    for await (const s of lobster.sessions.list({ limit: 10 })) ids.push(s.id);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
    const last = await lobster.sessions.list({ limit: 10, offset: 20 });
    expect(last).toMatchObject({ hasMore: false, nextOffset: null });
    expect(last.data.map((s) => s.id)).toEqual(ids.slice(20));
  });

  it('a list promise requests nothing until awaited or iterated, and its first page once', async () => {
    let requests = 0;
    const counting = server.client({
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const list = counting.apiKeys.list({ limit: 50 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requests).toBe(0);
    const page = await list;
    let n = 0;
    for await (const _ of list) n++;
    expect(n).toBe(page.data.length);
    expect(requests).toBe(1);
  });
});
