/**
 * Insertion of a tripwire block into an HTML body, whole or streamed. A whole body is searched as it came:
 * a string as a string (turning a 20 KB page into a Buffer only to search it cost more, in allocation and
 * GC, than everything else here), a Buffer as bytes. Streams are searched as Buffers, so a multi-byte
 * character split across chunks is never decoded. Everything matched is ASCII (`</body>`, closing tags),
 * so string indexes and byte indexes follow the same rules.
 */

/** What to insert: the hidden block (before `</body>`) and the tag-character text (after visible text). */
export interface Insertion {
  block: Buffer;
  tags: Buffer;
}

const LT = 0x3c;
const SLASH = 0x2f;
const BODY = [0x62, 0x6f, 0x64, 0x79]; // "body"
const GT = 0x3e;
/** `</body` is 6 bytes: the most a chunk can end with while a `</body>` is still incomplete. */
const LOOK_BEHIND = 6;
/** How far back from `</body>` the tag characters look for the end of visible text. */
const TEXT_WINDOW = 8192;
/** Closing tags of elements that hold phrasing text: appending there adds no box and moves no pixel. */
const TEXT_CLOSERS = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'a',
  'span',
  'small',
  'em',
  'strong',
  'b',
  'i',
  'time',
  'cite',
  'abbr',
  'label',
  'figcaption',
  'td',
  'dd',
  'li',
]);

/** A whole body as the app gave it, or a stream chunk (always a Buffer). */
export type Body = Buffer | string;
/** What to write, in order. */
export type Part = Buffer | string;

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 32 : c);
/** The byte (Buffer) or UTF-16 unit (string) at `i`; NaN past the end. Only ASCII values are compared. */
const codeAt = (body: Body, i: number): number =>
  typeof body === 'string' ? body.charCodeAt(i) : (body[i] ?? Number.NaN);
const cut = (body: Body, from: number, to?: number): Part =>
  typeof body === 'string' ? body.slice(from, to) : body.subarray(from, to);
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

/** Does `body` at `i` hold `</body` followed by `>` or whitespace? `partial` when it ends first. */
function matchAt(body: Body, i: number): 'yes' | 'no' | 'partial' {
  if (codeAt(body, i) !== LT) return 'no';
  if (i + 1 >= body.length) return 'partial';
  if (codeAt(body, i + 1) !== SLASH) return 'no';
  for (let k = 0; k < 4; k++) {
    const j = i + 2 + k;
    if (j >= body.length) return 'partial';
    if (lower(codeAt(body, j)) !== BODY[k]) return 'no';
  }
  const j = i + 6;
  if (j >= body.length) return 'partial';
  const c = codeAt(body, j);
  return c === GT || isSpace(c) ? 'yes' : 'no';
}

/** Index of the first `</body>` in `buf` from `from`, or -1 (a streamed body is cut where it first comes). */
export function findBodyClose(buf: Buffer, from = 0): number {
  let i = buf.indexOf(LT, from);
  while (i >= 0) {
    if (matchAt(buf, i) === 'yes') return i;
    i = buf.indexOf(LT, i + 1);
  }
  return -1;
}

/**
 * Index of the last `</body>` of a whole body, or -1. It sits near the end of any page, so the usual
 * spellings are first looked for in the last few KB with the native forward search (V8's string
 * `lastIndexOf` scans a 20 KB page slower than everything else here costs), then in the whole body, and
 * only a body with neither is looked at `<` by `<`.
 */
export function findLastBodyClose(body: Body): number {
  const tail = Math.max(0, body.length - TAIL_WINDOW);
  let found = lastSpelledFrom(body, tail);
  if (found < 0 && tail > 0) found = lastSpelledFrom(body, 0);
  if (found >= 0) return found;
  let last = -1;
  for (let i = body.indexOf('<'); i >= 0; i = body.indexOf('<', i + 1))
    if (matchAt(body, i) === 'yes') last = i;
  return last;
}

const lastSpelledFrom = (body: Body, from: number): number =>
  Math.max(lastMatchFrom(body, '</body', from), lastMatchFrom(body, '</BODY', from));

/** Where `findLastBodyClose` looks first. */
const TAIL_WINDOW = 4096;

function lastMatchFrom(body: Body, needle: string, from: number): number {
  let last = -1;
  for (let i = body.indexOf(needle, from); i >= 0; i = body.indexOf(needle, i + 1))
    if (matchAt(body, i) === 'yes') last = i;
  return last;
}

/** Where the tag characters go: just inside the last phrasing element closed before `end`, or -1. */
function textEnd(body: Body, end: number): number {
  const stop = Math.max(0, end - TEXT_WINDOW);
  // Walk back over `</name>` tags only: a scan of ASCII, no decoding of the page.
  let i = end;
  while (i > stop) {
    i = body.lastIndexOf('<', i - 1);
    if (i < stop) return -1;
    if (codeAt(body, i + 1) !== SLASH) continue;
    let j = i + 2;
    let name = '';
    while (j < end && j - i < 14) {
      const c = lower(codeAt(body, j));
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) name += String.fromCharCode(c);
      else break;
      j++;
    }
    if (name && TEXT_CLOSERS.has(name)) {
      while (j < end && isSpace(codeAt(body, j))) j++;
      if (codeAt(body, j) === GT) return i;
    }
  }
  return -1;
}

/**
 * `body` with the block inserted at `at` and the tag characters after the last visible text before it, as
 * the parts to write in order: the caller writes them (corked) instead of copying the page into one buffer.
 */
function splice(body: Body, at: number, ins: Insertion): Part[] {
  const t = textEnd(body, at);
  if (t < 0) {
    // No visible text in reach: the tag characters ride in the hidden block, still in the raw HTML.
    return [cut(body, 0, at), ins.tags, ins.block, cut(body, at)];
  }
  return [cut(body, 0, t), ins.tags, cut(body, t, at), ins.block, cut(body, at)];
}

/** Inserts into a whole body: before its last `</body>`, else at the end. Adds exactly `insertedLength` bytes. */
export function insertWhole(body: Body, ins: Insertion): Part[] {
  const at = findLastBodyClose(body);
  return splice(body, at < 0 ? body.length : at, ins);
}

export const insertedLength = (ins: Insertion): number => ins.block.length + ins.tags.length;

/**
 * Inserts into a streamed body as `</body>` passes. Each chunk is forwarded as soon as it arrives; only
 * a tail of at most 6 bytes that could begin a split `</body>` is held until the next chunk. After
 * `scanLimit` bytes without `</body>` the search stops and the rest passes through untouched (size cap);
 * otherwise exactly `insertedLength` bytes are added, before `</body>` or at the end.
 */
export class StreamInserter {
  readonly #mint: () => Insertion;
  #ins: Insertion | null = null;
  readonly #scanLimit: number;
  #tail: Buffer | null = null;
  #seen = 0;
  #done = false;
  readonly #declaredLength: number | undefined;

  /** `ins` may be a function: it is then called only when the insertion point is reached, off the first byte's path. */
  /** `declaredLength` is the body's `Content-Length`, when the app set one. */
  constructor(ins: Insertion | (() => Insertion), scanLimit: number, declaredLength?: number) {
    this.#mint = typeof ins === 'function' ? ins : () => ins;
    this.#scanLimit = scanLimit;
    this.#declaredLength = declaredLength;
  }

  #insertion(): Insertion {
    this.#ins ??= this.#mint();
    return this.#ins;
  }

  /** What to forward for `chunk`, in parts (none when all of it is held back). */
  push(body: Body): Part[] {
    if (this.#done) return [body];
    if (this.#seen === 0 && this.#declaredLength !== undefined && this.#declaredLength === byteLength(body)) {
      // The whole declared body in one write (Fastify's reply.send does this): no stream to follow.
      this.#done = true;
      return insertWhole(body, this.#insertion());
    }
    const chunk = typeof body === 'string' ? Buffer.from(body) : body;
    const data = this.#tail ? Buffer.concat([this.#tail, chunk]) : chunk;
    this.#tail = null;
    const at = findBodyClose(data);
    if (at >= 0) {
      this.#done = true;
      return splice(data, at, this.#insertion());
    }
    this.#seen += chunk.length;
    if (this.#seen > this.#scanLimit) {
      // Past the size cap: the rest passes through (only chunked bodies get here; a declared length is checked up front).
      this.#done = true;
      return [data];
    }
    // Hold back a possible start of `</body` at the very end.
    const from = Math.max(0, data.length - LOOK_BEHIND);
    let i = data.indexOf(LT, from);
    while (i >= 0 && matchAt(data, i) !== 'partial') i = data.indexOf(LT, i + 1);
    if (i < 0) return [data];
    this.#tail = Buffer.from(data.subarray(i));
    return i === 0 ? [] : [data.subarray(0, i)];
  }

  /** The bytes to send last, in parts: the held tail, and the block if `</body>` never came. */
  end(): Part[] {
    const tail = this.#tail ? [this.#tail] : [];
    this.#tail = null;
    if (this.#done) return tail;
    this.#done = true;
    const ins = this.#insertion();
    return [...tail, ins.tags, ins.block];
  }
}

export const byteLength = (body: Body): number =>
  typeof body === 'string' ? Buffer.byteLength(body) : body.length;
