import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeTags, decodeZeroWidth } from '../src/embed/zero-width.js';
import type { HitRecord } from '../src/index.js';

export const SECRET = 'conformance-secret-0123456789abcdef';

/** How the stand-in control plane answers the next ingest requests. */
export type ReceiverMode = 'ok' | 'refuse' | 'error' | 'hang' | 'rate-limit' | 'reject' | 'cut';

/**
 * A real HTTP server on loopback standing in for the control plane: records every ingest batch, dedupes
 * by hit id like the real one, and can be switched to refuse, fail, hang or rate-limit, or to commit a
 * batch and then drop the connection halfway through its answer (`cut`).
 */
export interface Receiver {
  url: string;
  mode: ReceiverMode;
  retryAfter: string;
  batches: { site: string; hits: HitRecord[]; at: number; auth: string | undefined }[];
  attempts: { mode: ReceiverMode; at: number; size: number }[];
  unique: Map<string, HitRecord>;
  config: { status: number; etag: string; body: unknown };
  configRequests: { ifNoneMatch: string | undefined; auth: string | undefined }[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const sockets = new Set<import('node:net').Socket>();
  const r: Receiver = {
    url: '',
    mode: 'ok',
    retryAfter: '1',
    batches: [],
    attempts: [],
    unique: new Map(),
    config: { status: 200, etag: '"v1"', body: { success: true, data: { traps: [] } } },
    configRequests: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/api/v1/ingest/config') {
      r.configRequests.push({ ifNoneMatch: req.headers['if-none-match'], auth: req.headers.authorization });
      if (r.config.status !== 200) return res.writeHead(r.config.status).end();
      if (req.headers['if-none-match'] === r.config.etag)
        return res.writeHead(304, { etag: r.config.etag }).end();
      return res
        .writeHead(200, { 'content-type': 'application/json', etag: r.config.etag })
        .end(JSON.stringify(r.config.body));
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const mode = r.mode;
    r.attempts.push({ mode, at: Date.now(), size: raw.length });
    if (mode === 'refuse') return req.socket.destroy();
    if (mode === 'hang') return; // never answers: the reporter's timeout must fire
    if (mode === 'error')
      return res
        .writeHead(500, { 'content-type': 'application/json' })
        .end('{"success":false,"error":"boom"}');
    if (mode === 'reject')
      return res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"success":false,"error":"bad"}');
    if (mode === 'rate-limit')
      return res.writeHead(429, { 'retry-after': r.retryAfter }).end('{"success":false,"error":"slow down"}');
    const body = JSON.parse(raw.toString('utf8')) as { site: string; hits: HitRecord[] };
    r.batches.push({ ...body, at: Date.now(), auth: req.headers.authorization });
    let duplicates = 0;
    for (const h of body.hits) {
      if (r.unique.has(h.id)) duplicates++;
      else r.unique.set(h.id, h);
    }
    const answer = JSON.stringify({ accepted: body.hits.length - duplicates, duplicates });
    if (mode === 'cut') {
      res.writeHead(202, { 'content-type': 'application/json', 'content-length': answer.length });
      res.write(answer.slice(0, 5));
      return setTimeout(() => req.socket.destroy(), 10);
    }
    res.writeHead(202, { 'content-type': 'application/json' }).end(answer);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}

/** Polls until `check` passes (or throws its last error after `ms`): for background work, not for timing. */
export async function eventually<T>(check: () => T, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Absolute callback URLs that appear literally in a body. */
export function literalCallbacks(body: string, prefix: string): string[] {
  return [...body.matchAll(new RegExp(`https?://[^\\s"'<>]*${esc(prefix)}/[A-Za-z0-9_-]{36}`, 'g'))].map(
    (m) => m[0],
  );
}

/** Every standalone 36-character token-shaped string in a text (literal or inside an instruction). */
export function tokenStrings(text: string): string[] {
  return [
    ...new Set([...text.matchAll(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{36}(?![A-Za-z0-9_-])/g)].map((m) => m[0])),
  ];
}

/** Everything hidden in a body that a raw-text reader can decode: zero-width URLs and tag-character text. */
export function hiddenText(body: string): { zeroWidth: string; tags: string } {
  return { zeroWidth: decodeZeroWidth(body), tags: decodeTags(body) };
}
