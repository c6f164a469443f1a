import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';

/** A request body as an adapter can provide it: already parsed by the app, or raw bytes. */
export type RequestBody =
  | { kind: 'parsed'; value: unknown }
  | { kind: 'raw'; bytes: Buffer; truncated: boolean }
  | { kind: 'none' };

/**
 * The minimal request the engine needs. Adapters build it from their framework's request; nothing here
 * is framework-specific, so a fetch-style server can build one too.
 */
export interface HoneyRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Path and query exactly as received (`/a/b?c=d`), not decoded. */
  url: string;
  /** Lower-case header names, as Node's `IncomingHttpHeaders`. */
  headers: IncomingHttpHeaders;
  /** Address of the TCP peer. `X-Forwarded-For` is used only when the `trustProxy` option says so. */
  remoteAddress: string | undefined;
  /** `http` or `https` as the framework determined it (default `http`). */
  protocol?: string;
  /** Reads at most `limit` bytes of the body; called only for trap and callback requests. */
  readBody?: (limit: number) => Promise<RequestBody>;
}

/** What an adapter adds to a Node request: its framework's idea of the protocol, and a body it parsed. */
export interface FrameworkRequest<T> {
  protocol(owner: T): string;
  /** A body a parser of the app already read (it wins over the raw stream), or undefined. */
  parsedBody(owner: T): unknown;
}

/**
 * The engine's view of a request that arrived as a Node `IncomingMessage`, for the adapters: method, URL
 * and headers are copied, the peer address, protocol and body are read only when the engine needs them,
 * and nothing else is allocated per request. One class for every adapter, which passes its framework's
 * request as `owner` and its readers as `framework` (a subclass per adapter measured ~250 instructions a
 * request more: V8 builds derived-class instances through a generic construct stub).
 */
export class NodeHoneyRequest<T> implements HoneyRequest {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: IncomingHttpHeaders,
    readonly raw: IncomingMessage,
    readonly owner: T,
    readonly framework: FrameworkRequest<T>,
  ) {}
  get remoteAddress(): string | undefined {
    return this.raw.socket?.remoteAddress;
  }
  get protocol(): string {
    return this.framework.protocol(this.owner);
  }
  readBody(limit: number): Promise<RequestBody> {
    const value = this.framework.parsedBody(this.owner);
    return value !== undefined ? Promise.resolve({ kind: 'parsed', value }) : readLimited(this.raw, limit);
  }
}

/** Where the path of a raw URL ends: at the first `?` or `#`, or at its end. */
function pathEnd(url: string): number {
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) return i;
  }
  return url.length;
}

/** Splits a raw URL into path and query without decoding, so bad percent-encoding cannot throw. */
export function splitUrl(url: string): { path: string; query: string } {
  const end = pathEnd(url);
  const path = end === url.length ? url : url.slice(0, end);
  // A `?` after a `#` still starts the query (the old split did the same; browsers send no fragment).
  const q = url.charCodeAt(end) === 63 ? end : url.indexOf('?', end);
  return { path, query: q < 0 ? '' : url.slice(q + 1) };
}

/** First value of a header. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  return firstValue(headers[name]);
}

/** The first value of a header as Node gives it (a list for the few headers that may repeat). */
export function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Trust setting for `X-Forwarded-For`: off, the left-most entry, or a fixed number of proxy hops. */
export type TrustProxy = boolean | number;

/** The client IP: the TCP peer unless proxies are trusted, IPv4-mapped IPv6 unwrapped. */
export function clientIp(req: HoneyRequest, trust: TrustProxy): string {
  let ip = req.remoteAddress ?? '';
  if (trust !== false) {
    const xff = header(req.headers, 'x-forwarded-for');
    if (xff) {
      const hops = xff.split(',').map((s) => s.trim());
      const pick = trust === true ? hops[0] : hops[Math.max(0, hops.length - trust)];
      if (pick && isIP(pick)) ip = pick;
    }
  }
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** The network a session is keyed on: IPv4 /24 or IPv6 /48, so address churn inside one network is one visitor. */
export function ipPrefix(ip: string): string {
  const v = isIP(ip);
  if (v === 4) return `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
  if (v === 6) {
    const [head = ''] = ip.split('::');
    const groups = head.split(':').filter(Boolean);
    // Groups after "::" are the low bits; the first three groups before it are the /48.
    const full = ip.includes('::') ? [...groups, '0', '0', '0'] : ip.split(':');
    return `${full.slice(0, 3).join(':')}::/48`;
  }
  return ip;
}

/** Parses a query string leniently: malformed escapes are kept as-is, never thrown. */
export function parseQuery(query: string): URLSearchParams {
  return new URLSearchParams(query);
}

/**
 * Reads a Node stream up to `limit` bytes. Beyond that it stops keeping data and lets the rest drain,
 * so a 10 MB body costs at most `limit` bytes of memory.
 */
export function readLimited(stream: Readable, limit: number): Promise<RequestBody> {
  return new Promise((resolve) => {
    if (stream.readableEnded) return resolve({ kind: 'none' });
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean): void => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onEnd);
      if (truncated) stream.resume(); // discard the remainder instead of buffering it
      resolve({ kind: 'raw', bytes: Buffer.concat(chunks, Math.min(size, limit)), truncated });
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const room = limit - size;
      if (buf.length > room) {
        if (room > 0) chunks.push(buf.subarray(0, room));
        size = limit + 1;
        finish(true);
        return;
      }
      chunks.push(buf);
      size += buf.length;
    };
    const onEnd = (): void => finish(false);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onEnd);
  });
}

/** Decodes a body into fields: JSON objects, urlencoded forms, or a parsed value the app already had. */
export function bodyFields(body: RequestBody, contentType: string | undefined): Record<string, unknown> {
  if (body.kind === 'none') return {};
  if (body.kind === 'parsed') {
    const v = body.value;
    if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v)) return v as Record<string, unknown>;
    if (typeof v !== 'string' && !Buffer.isBuffer(v)) return {};
    return bodyFields({ kind: 'raw', bytes: Buffer.from(v), truncated: false }, contentType);
  }
  const text = body.bytes.toString('utf8');
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json') || (!type.includes('form') && text.trimStart().startsWith('{'))) {
    try {
      const v: unknown = JSON.parse(text);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  if (type.includes('x-www-form-urlencoded') || (!type && text.includes('='))) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return {};
}
