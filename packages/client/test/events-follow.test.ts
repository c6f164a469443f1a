import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, BadRequestError, type LobsterClient, type LobsterEvent } from '../src/index.js';
import { removeTestDatabases, startServer, type TestServer } from './server.js';

/** Collects what an async iterable yields until `want` items arrived (the suite timeout bounds it). */
function collect(source: AsyncIterable<LobsterEvent>) {
  const items: LobsterEvent[] = [];
  let waiter = null as { n: number; resolve: () => void } | null;
  const done = (async () => {
    for await (const item of source) {
      items.push(item);
      if (waiter && items.length >= waiter.n) waiter.resolve();
    }
  })();
  return {
    items,
    done,
    until: (n: number) =>
      items.length >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve })),
  };
}

const paths = (events: LobsterEvent[]) => events.map((e) => e.data.path);

describe('events.stream()', () => {
  let server: TestServer;
  let lobster: LobsterClient;
  const controllers: AbortController[] = [];
  const signal = () => {
    const c = new AbortController();
    controllers.push(c);
    return c.signal;
  };

  beforeAll(async () => {
    server = await startServer();
    lobster = server.client();
  });
  afterEach(() => {
    for (const c of controllers.splice(0)) c.abort();
  });
  afterAll(async () => {
    await server.close();
    removeTestDatabases();
  });

  const trap = (n: number) => lobster.traps.create({ name: `t${n}`, path: `/stream-${n}`, type: 'page' });

  it('survives the control plane stopping and restarting, delivering every event once', async () => {
    // Resuming from the newest event makes the start exact (no race with the stream's connecting).
    const [newest] = (await lobster.events.list({ limit: 1 })).data;
    const stream = collect(
      lobster.events.stream({ signal: signal(), type: 'trap.created', lastEventId: newest!.id }),
    );
    await trap(0);
    await stream.until(1);
    for (let i = 1; i <= 3; i++) await trap(i);
    await stream.until(4);

    await server.app.close(1_000); // ends the stream: EventSource reconnects, and is refused meanwhile
    // Written while the stream was down, by another client on the same database.
    const { startServerOn } = await reopen(server);
    for (let i = 4; i <= 6; i++) await trap(i);
    await startServerOn();
    for (let i = 7; i <= 9; i++) await trap(i);
    await stream.until(10);
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for a duplicate to show up
    expect(paths(stream.items)).toEqual(Array.from({ length: 10 }, (_, i) => `/stream-${i}`));
  });

  it('resumes after lastEventId with no gap, and ends cleanly on its signal', async () => {
    const before = await trap(100);
    const [anchor] = (await lobster.events.list({ type: 'trap.created', limit: 1 })).data;
    expect(anchor!.data.id).toBe(before.id);
    await trap(101);
    await trap(102);
    const controller = new AbortController();
    const stream = collect(
      lobster.events.stream({ signal: controller.signal, lastEventId: anchor!.id, type: 'trap.' }),
    );
    await stream.until(2);
    expect(paths(stream.items)).toEqual(['/stream-101', '/stream-102']);
    controller.abort();
    await stream.done; // the loop finishes normally
  });

  it('a refused stream throws a typed error', async () => {
    const bad = server.client({ apiKey: `lh_${'0'.repeat(32)}` });
    await expect(collect(bad.events.stream({ signal: signal() })).done).rejects.toSatisfy(
      AuthenticationError.is,
    );
    const unknown = collect(
      lobster.events.stream({ signal: signal(), lastEventId: 'evt_doesnotexist' }),
    ).done;
    await expect(unknown).rejects.toSatisfy(BadRequestError.is);
  });

  /** Starts the next instance on the same SQLite file; its listen is delayed so the gap is real. */
  async function reopen(s: TestServer) {
    const { createApp } = await import('@lobster/control-plane');
    const { pino } = await import('pino');
    // Events written while nothing listens on the port: through an instance on another port.
    const writer = await createApp({ databaseUrl: s.databaseUrl, logger: pino({ level: 'silent' }) });
    const { url } = await writer.listen(0);
    lobster = s.client({ baseUrl: url });
    return {
      startServerOn: async () => {
        await s.restart();
        await writer.close(1_000);
        lobster = s.client();
      },
    };
  }
});

describe('events.poll()', () => {
  let server: TestServer;
  let lobster: LobsterClient;
  beforeAll(async () => {
    server = await startServer();
    lobster = server.client();
  });
  afterAll(async () => {
    await server.close();
    removeTestDatabases();
  });

  it('follows new events oldest first, from now or after a cursor, and stops on its signal', async () => {
    const old = await lobster.traps.create({ name: 'old', path: '/poll-old', type: 'page' });
    const controller = new AbortController();
    // The poll's first answer fixes its position; the injectable fetch tells the test when it arrived.
    let answered!: () => void;
    const positioned = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const watched = server.client({
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        answered();
        return res;
      },
    });
    const poll = collect(
      watched.events.poll({ signal: controller.signal, intervalMs: 50, type: 'trap.created' }),
    );
    await positioned; // the poll has its starting position: whatever is written now is new
    // More than one page of the list (100) between two polls, plus events of other types in between.
    const created = [];
    for (let i = 0; i < 120; i++) {
      created.push(`/poll-${i}`);
      await lobster.traps.create({ name: `p${i}`, path: `/poll-${i}`, type: 'page' });
      if (i % 40 === 0) await lobster.apiKeys.create({ name: `k${i}`, scope: 'read-only' });
    }
    await poll.until(120);
    expect(paths(poll.items)).toEqual(created);
    controller.abort();
    await poll.done;

    let oldEvent: LobsterEvent | undefined;
    for await (const e of lobster.events.list({ type: 'trap.created', limit: 100 })) {
      if (e.data.id === old.id) oldEvent = e;
    }
    expect(oldEvent).toBeDefined();
    const again = new AbortController();
    const fromCursor = collect(
      lobster.events.poll({ signal: again.signal, cursor: oldEvent!.id, intervalMs: 50 }),
    );
    await fromCursor.until(123); // 120 traps and 3 API keys
    expect(paths(fromCursor.items.filter((e) => e.type === 'trap.created'))).toEqual(created);
    again.abort();
    await fromCursor.done;
  });

  it('an already aborted signal yields nothing; a bad cursor is a 400', async () => {
    const poll = collect(lobster.events.poll({ signal: AbortSignal.abort() }));
    await poll.done;
    expect(poll.items).toEqual([]);
    await expect(collect(lobster.events.poll({ cursor: 'evt_nope' })).done).rejects.toSatisfy(
      BadRequestError.is,
    );
  });
});
