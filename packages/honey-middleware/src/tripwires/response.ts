import { type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
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
    // Frameworks pass lower-case names (Fastify always does); any other spelling is found by the scan.
    const exact = headers[name];
    if (exact !== undefined) return typeof exact === 'string' ? exact : String(exact);
    for (const k of Object.keys(headers)) {
      if (k.length === name.length && k.toLowerCase() === name) {
        const v = headers[k];
        return v === undefined ? undefined : String(v);
      }
    }
  }
  const v = res.getHeader(name);
  if (typeof v === 'string' || v === undefined) return v;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

const HTML_TYPE = /^text\/html/i;

/**
 * Whether a content type starts with `text/html`, in any case. It runs on every response, so the usual
 * other types are turned away by one character (the `h` of `html`, where `text/plain` has `p`) before the
 * regular expression runs.
 */
export function isHtmlType(type: string): boolean {
  return (type.charCodeAt(5) | 0x20) === 0x68 && HTML_TYPE.test(type);
}

/**
 * The response gets a tripwire only if the app answered a successful, uncompressed, transformable HTML
 * page in UTF-8 (or no declared charset); everything else passes through byte for byte.
 */
function eligible(res: ServerResponse, status: number, headers: Headers): boolean {
  if (status < 200 || status > 299 || status === 204 || status === 205 || status === 206) return false;
  const type = headerOf(res, headers, 'content-type');
  if (type === undefined || !isHtmlType(type)) return false;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/.exec(type.toLowerCase())?.[1];
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return false;
  const encoding = headerOf(res, headers, 'content-encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') return false;
  if (/(^|[\s,])no-transform([\s,]|$)/i.test(headerOf(res, headers, 'cache-control') ?? '')) return false;
  return true;
}

const UTF8 = /^utf-?8$/i;

/** Whole bodies up to this many characters (or bytes) are searched for a tag before any header is read. */
const SMALL_BODY = 4096;

/** A chunk as a Buffer, or as the string it is when it is UTF-8 text (searched without copying). */
function toBody(chunk: unknown, encoding: unknown): Body {
  // Strings first: the usual whole body, and a `typeof` is cheaper than the global `Buffer` lookup.
  if (typeof chunk === 'string') {
    if (typeof encoding !== 'string' || UTF8.test(encoding)) return chunk;
    return Buffer.from(chunk, encoding as BufferEncoding);
  }
  if (Buffer.isBuffer(chunk)) return chunk;
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

type Fn<R> = (...a: unknown[]) => R;
/** The app's per-response opt-out, asked of the object it is set on (no closure per response). */
type OptOut = (owner: unknown) => boolean;

/** Per-response state; the wrappers below are shared module functions, so a request allocates one object. */
class Tripwire {
  decision: Decision = 'pending';
  ins: Insertion | null = null;
  stream: StreamInserter | null = null;
  /** Bytes of the body as the app sent it (set by `commit`). */
  size = 0;
  /** A prototype wrapper is acting for this response (see `patchPrototype`). */
  busy = false;
  constructor(
    readonly res: ServerResponse,
    readonly plan: TripwirePlan,
    readonly optedOut: OptOut,
    readonly owner: unknown,
    readonly writeHead: Fn<ServerResponse>,
    readonly write: Fn<boolean>,
    readonly end: Fn<ServerResponse>,
  ) {}

  /** Cheap checks first (status, headers, opt-out): most responses stop here. */
  qualifies(status: number, headers: Headers): boolean {
    this.decision = 'pass';
    return eligible(this.res, status, headers) && !this.optedOut(this.owner);
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

function writeHead(
  t: Tripwire,
  res: ServerResponse,
  status: number,
  a?: unknown,
  b?: unknown,
): ServerResponse {
  if (t.decision === 'pending') {
    const headers = (typeof a === 'string' ? b : a) as Headers;
    if (t.qualifies(status, headers)) t.commit(headers, null);
  }
  return t.writeHead.call(res, status, a, b);
}

/** Writes parts through the original `write` in one corked batch (one syscall, no copy into one buffer). */
function writeParts(res: ServerResponse, t: Tripwire, parts: Part[], callback: Cb): boolean {
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
function endParts(res: ServerResponse, t: Tripwire, parts: Part[], callback: Cb): ServerResponse {
  if (parts.length === 0) return t.end.call(res, callback);
  res.cork();
  for (let i = 0; i < parts.length - 1; i++) t.write.call(res, parts[i], 'utf8');
  const out = t.end.call(res, parts[parts.length - 1], 'utf8', callback);
  res.uncork();
  return out;
}

function write(t: Tripwire, res: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  if (t.decision === 'pending' && t.qualifies(res.statusCode, undefined)) t.commit(undefined, null);
  const stream = t.stream;
  if (t.decision !== 'rewrite' || !stream) return t.write.call(res, chunk, encoding, cb);
  const parts = stream.push(toBody(chunk, encoding));
  const callback = callbackOf(encoding, cb, undefined);
  if (parts.length === 0) {
    if (callback) process.nextTick(callback);
    return true;
  }
  return writeParts(res, t, parts, callback);
}

function end(
  t: Tripwire,
  res: ServerResponse,
  chunk?: unknown,
  encoding?: unknown,
  cb?: unknown,
): ServerResponse {
  const hasChunk = chunk !== undefined && chunk !== null && typeof chunk !== 'function';
  const callback = callbackOf(chunk, encoding, cb);
  if (t.decision === 'pending') {
    // The whole body in one call (res.send, ctx.body = string, reply.send): size it exactly.
    const whole = hasChunk ? toBody(chunk, encoding) : '';
    // A small body without a tag is no page whatever its headers say (`commit` would refuse it), so the
    // usual small JSON or text answer is passed on before any header is read.
    if (whole.length <= SMALL_BODY && whole.indexOf('<') < 0) t.decision = 'pass';
    else if (t.qualifies(res.statusCode, undefined) && t.commit(undefined, whole) && t.ins) {
      const parts = insertWhole(whole, t.ins);
      if (res.hasHeader('content-length'))
        res.setHeader('content-length', String(t.size + insertedLength(t.ins)));
      return endParts(res, t, parts, callback);
    }
  }
  const stream = t.stream;
  if (t.decision !== 'rewrite' || !stream) return t.end.call(res, chunk, encoding, cb);
  const head = hasChunk ? stream.push(toBody(chunk, encoding)) : [];
  return endParts(res, t, [...head, ...stream.end()], callback);
}

// Registered symbols: the ESM and CommonJS builds are separate copies of this module, and an app that
// loads both (`withLobsterHoney` from one, `lobsterHoney()` from the other) must find one state.
const STATE = Symbol.for('lobster.honey.tripwires');
type WithState = ServerResponse & { [STATE]: Tripwire };

// Own-property wrappers: installed on one response together with its state.
function ownWriteHead(this: WithState, status: number, a?: unknown, b?: unknown): ServerResponse {
  return writeHead(this[STATE], this, status, a, b);
}
function ownWrite(this: WithState, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  return write(this[STATE], this, chunk, encoding, cb);
}
function ownEnd(this: WithState, chunk?: unknown, encoding?: unknown, cb?: unknown): ServerResponse {
  return end(this[STATE], this, chunk, encoding, cb);
}

/**
 * Where a response keeps its state when the wrappers live on a shared prototype: an object the framework
 * already gives every response (Express: `res.locals`), so nothing is added to the response itself.
 */
export type StateHolder = (res: ServerResponse) => Record<symbol, unknown> | undefined;

interface Originals {
  writeHead: Fn<ServerResponse>;
  write: Fn<boolean>;
  end: Fn<ServerResponse>;
}

const METHODS = ['writeHead', 'write', 'end'] as const;

/**
 * Each wrapper carries the methods its prototype had before. A prototype with a wrapper already, its own
 * or inherited (a mounted sub-app's `response` inherits the parent app's) or set by the other build of
 * this module, is used as it is rather than wrapped again.
 */
const ORIGINALS = Symbol.for('lobster.honey.tripwires.originals');
type Tagged = { [ORIGINALS]?: Originals };

/**
 * What the prototype's methods did before: its own ones as they were, inherited ones looked up on its
 * parent when called, so instrumentation that patches Node's `ServerResponse.prototype` later (an APM
 * loaded lazily) still sees the responses of apps that never plant a tripwire.
 */
function originalsOf(proto: ServerResponse): Originals {
  const parent = Object.getPrototypeOf(proto) as Originals;
  const own: Partial<Originals> = {};
  for (const name of METHODS) if (Object.hasOwn(proto, name)) own[name] = proto[name] as Fn<never>;
  return {
    get writeHead() {
      return own.writeHead ?? parent.writeHead;
    },
    get write() {
      return own.write ?? parent.write;
    },
    get end() {
      return own.end ?? parent.end;
    },
  };
}

/** Runs one of the wrappers' actions for a response, marked busy meanwhile (see `patchPrototype`). */
function actFor<A, B, C, R>(
  t: Tripwire,
  action: (t: Tripwire, res: ServerResponse, a: A, b: B, c: C) => R,
  res: ServerResponse,
  a: A,
  b: B,
  c: C,
): R {
  t.busy = true;
  try {
    return action(t, res, a, b, c);
  } finally {
    t.busy = false;
  }
}

/**
 * Patches a prototype once with wrappers that act only for responses that hold a state and otherwise
 * call the method the prototype had, so the framework's other responses are untouched. While a wrapper
 * acts for a response (`busy`), the wrappers it reaches again through the methods it forwards to (a
 * second copy of them further up the chain, or another library's wrapper around them) only forward:
 * two wrappers that each act for the same state would call each other for ever.
 */
function patchPrototype(proto: ServerResponse, holder: StateHolder): Originals {
  for (const name of METHODS) {
    const known = (proto[name] as Tagged)[ORIGINALS];
    if (known) return known;
  }
  const o = originalsOf(proto);
  const stateOf = (res: ServerResponse): Tripwire | undefined => {
    const t = holder(res)?.[STATE] as Tripwire | undefined;
    return t && !t.busy ? t : undefined;
  };
  proto.writeHead = function (this: ServerResponse, status: number, a?: unknown, b?: unknown) {
    const t = stateOf(this);
    return t ? actFor(t, writeHead, this, status, a, b) : o.writeHead.call(this, status, a, b);
  } as ServerResponse['writeHead'];
  proto.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown) {
    const t = stateOf(this);
    return t ? actFor(t, write, this, chunk, encoding, cb) : o.write.call(this, chunk, encoding, cb);
  } as ServerResponse['write'];
  proto.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, cb?: unknown) {
    const t = stateOf(this);
    return t ? actFor(t, end, this, chunk, encoding, cb) : o.end.call(this, chunk, encoding, cb);
  } as ServerResponse['end'];
  for (const name of METHODS) (proto[name] as Tagged)[ORIGINALS] = o;
  return o;
}

/**
 * The prototype the framework gave this response (Express: the app's `response`, which mounted sub-apps
 * inherit from), or null for a plain Node response, whose prototype is shared by every server.
 */
function frameworkPrototype(res: ServerResponse): ServerResponse | null {
  const proto = Object.getPrototypeOf(res) as ServerResponse | null;
  return proto && proto !== ServerResponse.prototype ? proto : null;
}

/**
 * Wraps `writeHead`, `write` and `end` of one response so that whatever the framework does (a whole
 * string or Buffer, a template, `write` + `end`, a piped stream) passes through one place. The decision
 * is taken once, when the status and headers are final; a response that does not qualify costs a few
 * header reads and is forwarded untouched. Streams are never buffered: see `StreamInserter`.
 *
 * Without a `holder` (Koa, Fastify) the three wrappers and the state are set on the response itself
 * (patching Node's shared `ServerResponse.prototype` instead measured ~1,700 instructions a request more).
 * With one (Express), the app's response prototype (`proto`: by default the one the response has) is
 * patched once and the state goes into the holder: Express gives every response object a hidden class
 * of its own (it swaps the prototype per request), so every property added to one, and even using one as
 * a WeakMap key, makes V8 build a new hidden class: more than everything else the middleware does (see
 * the package README).
 */
export function installTripwires<T>(
  res: ServerResponse,
  plan: TripwirePlan,
  optedOut: (owner: T) => boolean,
  owner: T,
  holder?: StateHolder,
  proto: ServerResponse | null = holder ? frameworkPrototype(res) : null,
): void {
  const held = holder?.(res);
  if (proto && holder && held) {
    const o = patchPrototype(proto, holder);
    held[STATE] = new Tripwire(res, plan, optedOut as OptOut, owner, o.writeHead, o.write, o.end);
    return;
  }
  (res as WithState)[STATE] = new Tripwire(
    res,
    plan,
    optedOut as OptOut,
    owner,
    res.writeHead as Fn<ServerResponse>,
    res.write as Fn<boolean>,
    res.end as Fn<ServerResponse>,
  );
  res.writeHead = ownWriteHead as ServerResponse['writeHead'];
  res.write = ownWrite as ServerResponse['write'];
  res.end = ownEnd as ServerResponse['end'];
}
