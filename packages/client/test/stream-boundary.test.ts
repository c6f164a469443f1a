import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LobsterClient, type LobsterEvent, PermissionDeniedError } from '../src/index.js';

/**
 * A plain node:http SSE server at the network boundary, scripted per connection, standing in for a
 * misbehaving server or proxy: one that replays an event it already sent, or refuses for a while.
 */
type Connection = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server | undefined;
afterEach(async () => {
  if (!server) return;
  const closing = server;
  server = undefined;
  closing.closeAllConnections();
  await new Promise((resolve) => closing.close(resolve));
});

async function scripted(connections: Connection[]) {
  const requests: IncomingMessage[] = [];
  server = createServer((req, res) => {
    requests.push(req);
    (connections[requests.length - 1] ?? connections.at(-1)!)(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const event = (n: number): LobsterEvent => ({
  id: `evt_${n}`,
  type: 'trap.created',
  api_version: '2024-01-01',
  created_at: new Date(0).toISOString(),
  data: { n },
});

/** Sends `ids` as SSE frames (named by type, as the control plane does) and ends the response. */
const sends =
  (...ids: number[]): Connection =>
  (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write('retry: 50\n\n');
    for (const n of ids)
      res.write(`id: evt_${n}\nevent: trap.created\ndata: ${JSON.stringify(event(n))}\n\n`);
    res.end();
  };
const refuses =
  (status: number, body: unknown): Connection =>
  (_req, res) => {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Retry-After': '0',
      'X-Request-Id': `req_${status}`,
    });
    res.end(JSON.stringify(body));
  };
const holds: Connection = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  res.write(': waiting\n\n');
};

async function first(n: number, source: AsyncIterable<LobsterEvent>): Promise<LobsterEvent[]> {
  const out: LobsterEvent[] = [];
  for await (const e of source) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

describe('events.stream() against a scripted SSE server', () => {
  it('yields an event replayed across a reconnect once, and resumes with Last-Event-ID and the key', async () => {
    const { url, requests } = await scripted([sends(1, 2), sends(2, 3), holds]);
    const lobster = new LobsterClient({ apiKey: 'lh_stream', baseUrl: url });
    const got = await first(3, lobster.events.stream({ lastEventId: 'evt_0', type: 'trap.' }));
    expect(got.map((e) => e.id)).toEqual(['evt_1', 'evt_2', 'evt_3']);
    expect(requests.map((r) => r.headers['last-event-id'])).toEqual(
      ['evt_0', 'evt_2', 'evt_3'].slice(0, requests.length),
    );
    expect(requests.every((r) => r.headers.authorization === 'Bearer lh_stream')).toBe(true);
    expect(requests[0]!.url).toBe('/api/v1/events/stream?type=trap.');
  });

  it('opens a new connection after a 503 or 429 (which end an EventSource), keeping its position', async () => {
    const { url, requests } = await scripted([
      sends(1),
      refuses(503, { success: false, error: 'draining', code: 'UNAVAILABLE' }),
      refuses(429, { success: false, error: 'too many streams', code: 'TOO_MANY_STREAMS' }),
      sends(2),
      holds,
    ]);
    const lobster = new LobsterClient({ apiKey: 'lh_stream', baseUrl: url });
    const got = await first(2, lobster.events.stream());
    expect(got.map((e) => e.id)).toEqual(['evt_1', 'evt_2']);
    expect(requests.slice(1, 4).map((r) => r.headers['last-event-id'])).toEqual(['evt_1', 'evt_1', 'evt_1']);
  });

  it('a permanent refusal ends the loop with the typed error and its request id', async () => {
    const { url } = await scripted([
      refuses(403, { success: false, error: 'scope ingest may not', code: 'FORBIDDEN' }),
    ]);
    const lobster = new LobsterClient({ apiKey: 'lh_stream', baseUrl: url });
    const err = await first(1, lobster.events.stream()).catch((e: unknown) => e);
    expect(PermissionDeniedError.is(err)).toBe(true);
    expect(err).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      message: 'scope ingest may not',
      requestId: 'req_403',
    });
  });

  it('breaking out of the loop closes the connection', async () => {
    let closed!: () => void;
    const streamClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const { url } = await scripted([
      (_req, res) => {
        res.on('close', closed); // the server sees the client go away
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(`id: evt_1\nevent: trap.created\ndata: ${JSON.stringify(event(1))}\n\n`);
      },
    ]);
    const lobster = new LobsterClient({ apiKey: 'lh_stream', baseUrl: url });
    expect((await first(1, lobster.events.stream())).map((e) => e.id)).toEqual(['evt_1']);
    await streamClosed;
  });
});
