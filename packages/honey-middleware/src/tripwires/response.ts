import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  type Body,
  byteLength,
  type Insertion,
  insertedLength,
  insertWhole,
  type Part,
  StreamInserter,
} from './inserter.js';

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

/** A chunk as a Buffer, or as the string it is when it is UTF-8 text (searched without copying). */
function toBody(chunk: unknown, encoding: unknown): Body {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') {
    if (typeof encoding !== 'string' || /^utf-?8$/i.test(encoding)) return chunk;
    return Buffer.from(chunk, encoding as BufferEncoding);
  }
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

const STATE = Symbol('lobster.tripwires');
type Fn<R> = (...a: unknown[]) => R;
type Patched = ServerResponse & { [STATE]: Tripwire };

/** Per-response state; the wrappers below are shared module functions, so a request allocates one object. */
class Tripwire {
  decision: Decision = 'pending';
  ins: Insertion | null = null;
  stream: StreamInserter | null = null;
  /** Bytes of the body as the app sent it (set by `commit`). */
  size = 0;
  constructor(
    readonly res: ServerResponse,
    readonly plan: TripwirePlan,
    readonly optedOut: () => boolean,
    readonly writeHead: Fn<ServerResponse>,
    readonly write: Fn<boolean>,
    readonly end: Fn<ServerResponse>,
  ) {}

  /** Cheap checks first (status, headers, opt-out): most responses stop here. */
  qualifies(status: number, headers: Headers): boolean {
    this.decision = 'pass';
    return eligible(this.res, status, headers) && !this.optedOut();
  }

  /** Sizes and mints; fixes `Content-Length` and `ETag`. `whole` is the body when it came in one call. */
  commit(headers: Headers, whole: Body | null): boolean {
    const res = this.res;
    const declared = headerOf(res, headers, 'content-length');
    const size = whole ? byteLength(whole) : declared === undefined ? 0 : Number(declared);
    if (!Number.isFinite(size) || size > this.plan.maxBytes) return false;
    this.size = size;
    // A whole "HTML" body without a single tag (Express sends any string as text/html) is no page.
    if (whole && whole.indexOf('<') < 0) return false;
    // A chunked stream mints when </body> passes, so the first byte never waits for the signing.
    const lazy = !whole && declared === undefined;
    let ins: Insertion | null = null;
    if (!lazy) {
      try {
        ins = this.plan.mint();
      } catch {
        return false; // a failure to mint means no tripwire, never a broken page
      }
    }
    this.ins = ins;
    this.decision = 'rewrite';
    // A strong ETag promises identical bytes, which a page with fresh tokens no longer is; weak ones stay.
    const etag = headerOf(res, headers, 'etag');
    if (etag && !etag.startsWith('W/')) setHeader(res, headers, 'etag', null);
    if (!whole) {
      if (ins && declared !== undefined)
        setHeader(res, headers, 'content-length', String(size + insertedLength(ins)));
      this.stream = new StreamInserter(
        ins ?? (() => this.#mintOrNothing()),
        this.plan.maxBytes,
        declared === undefined ? undefined : size,
      );
    }
    return true;
  }

  /** Lazily minted for a chunked stream: a failure then means an unchanged page, never a broken one. */
  #mintOrNothing(): Insertion {
    try {
      return this.plan.mint();
    } catch {
      return { block: Buffer.alloc(0), tags: Buffer.alloc(0) };
    }
  }
}

const callbackOf = (a: unknown, b: unknown, c: unknown): Cb =>
  (typeof a === 'function' ? a : typeof b === 'function' ? b : c) as Cb;

function writeHead(this: Patched, status: number, a?: unknown, b?: unknown): ServerResponse {
  const t = this[STATE];
  if (t.decision === 'pending') {
    const headers = (typeof a === 'string' ? b : a) as Headers;
    if (t.qualifies(status, headers)) t.commit(headers, null);
  }
  return t.writeHead.call(this, status, a, b);
}

/** Writes parts through the original `write` in one corked batch (one syscall, no copy into one buffer). */
function writeParts(res: Patched, t: Tripwire, parts: Part[], callback: Cb): boolean {
  if (parts.length === 1) return t.write.call(res, parts[0], 'utf8', callback);
  res.cork();
  let ok = true;
  parts.forEach((part, i) => {
    ok = t.write.call(res, part, 'utf8', i === parts.length - 1 ? callback : undefined);
  });
  process.nextTick(() => res.uncork());
  return ok;
}

/** Ends with the last part after writing the others corked. */
function endParts(res: Patched, t: Tripwire, parts: Part[], callback: Cb): ServerResponse {
  if (parts.length === 0) return t.end.call(res, callback);
  res.cork();
  for (let i = 0; i < parts.length - 1; i++) t.write.call(res, parts[i], 'utf8');
  const out = t.end.call(res, parts[parts.length - 1], 'utf8', callback);
  res.uncork();
  return out;
}

function write(this: Patched, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  const t = this[STATE];
  if (t.decision === 'pending' && t.qualifies(this.statusCode, undefined)) t.commit(undefined, null);
  const stream = t.stream;
  if (t.decision !== 'rewrite' || !stream) return t.write.call(this, chunk, encoding, cb);
  const parts = stream.push(toBody(chunk, encoding));
  const callback = callbackOf(encoding, cb, undefined);
  if (parts.length === 0) {
    if (callback) process.nextTick(callback);
    return true;
  }
  return writeParts(this, t, parts, callback);
}

function end(this: Patched, chunk?: unknown, encoding?: unknown, cb?: unknown): ServerResponse {
  const t = this[STATE];
  const hasChunk = chunk !== undefined && chunk !== null && typeof chunk !== 'function';
  const callback = callbackOf(chunk, encoding, cb);
  if (t.decision === 'pending' && t.qualifies(this.statusCode, undefined)) {
    // The whole body in one call (res.send, ctx.body = string, reply.send): size it exactly.
    const whole = hasChunk ? toBody(chunk, encoding) : '';
    if (t.commit(undefined, whole) && t.ins) {
      const parts = insertWhole(whole, t.ins);
      if (this.hasHeader('content-length'))
        this.setHeader('content-length', String(t.size + insertedLength(t.ins)));
      return endParts(this, t, parts, callback);
    }
  }
  const stream = t.stream;
  if (t.decision !== 'rewrite' || !stream) return t.end.call(this, chunk, encoding, cb);
  const head = hasChunk ? stream.push(toBody(chunk, encoding)) : [];
  return endParts(this, t, [...head, ...stream.end()], callback);
}

/**
 * Wraps `writeHead`, `write` and `end` of one response so that whatever the framework does (a whole
 * string or Buffer, a template, `write` + `end`, a piped stream) passes through one place. The decision
 * is taken once, when the status and headers are final; a response that does not qualify costs a few
 * header reads and is forwarded untouched. Streams are never buffered: see `StreamInserter`.
 */
export function installTripwires(res: ServerResponse, plan: TripwirePlan, optedOut: () => boolean): void {
  const r = res as Patched;
  r[STATE] = new Tripwire(
    res,
    plan,
    optedOut,
    res.writeHead as Fn<ServerResponse>,
    res.write as Fn<boolean>,
    res.end as Fn<ServerResponse>,
  );
  res.writeHead = writeHead as unknown as ServerResponse['writeHead'];
  res.write = write as unknown as ServerResponse['write'];
  res.end = end as unknown as ServerResponse['end'];
}
