import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { type Insertion, insertedLength, insertWhole, StreamInserter } from './inserter.js';

/** What the adapter knows before the app answers: how big a body may get, and how to mint the block. */
export interface TripwirePlan {
  /** Bodies larger than this (by `Content-Length`, or whole) pass through untouched. */
  maxBytes: number;
  /** Mints the tripwire; called once, only for a response that gets one. */
  mint(): Insertion;
}

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;
type Cb = ((error?: Error | null) => void) | undefined;
type Decision = 'pending' | 'pass' | 'rewrite';

function headerOf(res: ServerResponse, headers: Headers, name: string): string | undefined {
  if (headers && !Array.isArray(headers)) {
    for (const k of Object.keys(headers)) {
      if (k.length === name.length && k.toLowerCase() === name) {
        const v = headers[k];
        return v === undefined ? undefined : String(v);
      }
    }
  }
  const v = res.getHeader(name);
  return v === undefined ? undefined : Array.isArray(v) ? v.join(', ') : String(v);
}

/**
 * The response gets a tripwire only if the app answered a successful, uncompressed, transformable HTML
 * page in UTF-8 (or no declared charset); everything else passes through byte for byte.
 */
function eligible(res: ServerResponse, status: number, headers: Headers): boolean {
  if (status < 200 || status > 299 || status === 204 || status === 205 || status === 206) return false;
  const type = headerOf(res, headers, 'content-type')?.toLowerCase();
  if (!type?.startsWith('text/html')) return false;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/.exec(type)?.[1];
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return false;
  const encoding = headerOf(res, headers, 'content-encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') return false;
  if (/(^|[\s,])no-transform([\s,]|$)/i.test(headerOf(res, headers, 'cache-control') ?? '')) return false;
  return true;
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.alloc(0);
}

/** Sets a header in the `writeHead` argument when it has it there, else on the response. */
function setHeader(res: ServerResponse, headers: Headers, name: string, value: string | null): void {
  if (headers && !Array.isArray(headers)) {
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === name) {
        if (value === null) delete headers[k];
        else headers[k] = value;
      }
    }
  }
  if (res.hasHeader(name)) {
    if (value === null) res.removeHeader(name);
    else res.setHeader(name, value);
  }
}

/**
 * Wraps `writeHead`, `write` and `end` of one response so that whatever the framework does (a whole
 * string or Buffer, a template, `write` + `end`, a piped stream) passes through one place. The decision
 * is taken once, when the status and headers are final; a response that does not qualify costs a few
 * header reads and is forwarded untouched. Streams are never buffered: see `StreamInserter`.
 */
export function installTripwires(res: ServerResponse, plan: TripwirePlan, optedOut: () => boolean): void {
  const writeHead = res.writeHead as (...a: unknown[]) => ServerResponse;
  const write = res.write as (...a: unknown[]) => boolean;
  const end = res.end as (...a: unknown[]) => ServerResponse;
  let decision: Decision = 'pending';
  let ins: Insertion | null = null;
  let stream: StreamInserter | null = null;

  /** Decides with the final status and headers; fixes `Content-Length` and `ETag` when rewriting. */
  const decide = (status: number, headers: Headers, whole: Buffer | null): Decision => {
    decision = 'pass';
    if (optedOut() || !eligible(res, status, headers)) return decision;
    const declared = headerOf(res, headers, 'content-length');
    const size = whole ? whole.length : declared === undefined ? 0 : Number(declared);
    if (!Number.isFinite(size) || size > plan.maxBytes) return decision;
    // A whole "HTML" body without a single tag (Express sends any string as text/html) is no page.
    if (whole && whole.indexOf(0x3c) < 0) return decision;
    try {
      ins = plan.mint();
    } catch {
      return decision; // a failure to mint means no tripwire, never a broken page
    }
    decision = 'rewrite';
    // A strong ETag promises identical bytes, which a page with fresh tokens no longer is; weak ones stay.
    const etag = headerOf(res, headers, 'etag');
    if (etag && !etag.startsWith('W/')) setHeader(res, headers, 'etag', null);
    if (declared !== undefined && !whole) {
      setHeader(res, headers, 'content-length', String(size + insertedLength(ins)));
    }
    if (!whole) stream = new StreamInserter(ins, plan.maxBytes);
    return decision;
  };

  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]): ServerResponse {
    if (decision === 'pending') {
      const headers = (typeof rest[0] === 'string' ? rest[1] : rest[0]) as Headers;
      decide(status, headers, null);
    }
    return writeHead.call(this, status, ...rest);
  } as ServerResponse['writeHead'];

  res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    if (decision === 'pending') decide(res.statusCode, undefined, null);
    const callback = (typeof encoding === 'function' ? encoding : cb) as Cb;
    if (decision !== 'rewrite' || !stream) return write.call(this, chunk, encoding, cb);
    const out = stream.push(toBuffer(chunk, encoding));
    if (out.length === 0) {
      if (callback) process.nextTick(callback);
      return true;
    }
    return write.call(this, out, callback);
  } as ServerResponse['write'];

  res.end = function (
    this: ServerResponse,
    chunk?: unknown,
    encoding?: unknown,
    cb?: unknown,
  ): ServerResponse {
    const hasChunk = chunk !== undefined && chunk !== null && typeof chunk !== 'function';
    if (decision === 'pending') {
      // The whole body in one call (res.send, ctx.body = string, reply.send): size it exactly.
      const whole = hasChunk ? toBuffer(chunk, encoding) : Buffer.alloc(0);
      if (decide(res.statusCode, undefined, whole) === 'rewrite' && ins) {
        const out = insertWhole(whole, ins);
        if (res.hasHeader('content-length')) res.setHeader('content-length', String(out.length));
        const callback = (
          typeof chunk === 'function' ? chunk : typeof encoding === 'function' ? encoding : cb
        ) as Cb;
        return end.call(this, out, callback);
      }
    }
    if (decision !== 'rewrite' || !stream) return end.call(this, chunk, encoding, cb);
    const callback = (
      typeof chunk === 'function' ? chunk : typeof encoding === 'function' ? encoding : cb
    ) as Cb;
    const head = hasChunk ? stream.push(toBuffer(chunk, encoding)) : Buffer.alloc(0);
    const rest = stream.end();
    return end.call(this, head.length === 0 ? rest : Buffer.concat([head, rest]), callback);
  } as ServerResponse['end'];
}
