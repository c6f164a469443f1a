/**
 * Byte-level insertion of a tripwire block into an HTML body, whole or streamed. Works on `Buffer`s so a
 * multi-byte character split across chunks is never decoded; `</body>` is ASCII, matched without case.
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

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 32 : c);

/** Does `buf` at `i` hold `</body` followed by `>` or whitespace? `partial` when the buffer ends first. */
function matchAt(buf: Buffer, i: number): 'yes' | 'no' | 'partial' {
  if (buf[i] !== LT) return 'no';
  if (i + 1 >= buf.length) return 'partial';
  if (buf[i + 1] !== SLASH) return 'no';
  for (let k = 0; k < 4; k++) {
    const j = i + 2 + k;
    if (j >= buf.length) return 'partial';
    if (lower(buf[j]!) !== BODY[k]) return 'no';
  }
  const j = i + 6;
  if (j >= buf.length) return 'partial';
  const c = buf[j]!;
  return c === GT || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d ? 'yes' : 'no';
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

const BODY_LOWER = Buffer.from('</body');
const BODY_UPPER = Buffer.from('</BODY');

/**
 * Index of the last `</body>` of a whole body, or -1. It is near the end of any page, so the search runs
 * backwards with the native substring search for the usual spellings (a call per `<` from the start cost
 * more than the rest of the insertion); only a page with neither falls back to the byte scan.
 */
export function findLastBodyClose(buf: Buffer): number {
  const lower = lastMatch(buf, BODY_LOWER);
  const upper = lastMatch(buf, BODY_UPPER);
  if (lower >= 0 || upper >= 0) return Math.max(lower, upper);
  let last = -1;
  for (let i = findBodyClose(buf); i >= 0; i = findBodyClose(buf, i + 1)) last = i;
  return last;
}

function lastMatch(buf: Buffer, needle: Buffer): number {
  let i = buf.lastIndexOf(needle);
  while (i >= 0 && matchAt(buf, i) !== 'yes') i = i === 0 ? -1 : buf.lastIndexOf(needle, i - 1);
  return i;
}

/** Where the tag characters go: just inside the last phrasing element closed before `end`, or -1. */
function textEnd(buf: Buffer, end: number): number {
  const stop = Math.max(0, end - TEXT_WINDOW);
  // Walk back over `</name>` tags only: a byte scan, no decoding of the page.
  let i = end;
  while (i > stop) {
    i = buf.lastIndexOf(LT, i - 1);
    if (i < stop) return -1;
    if (buf[i + 1] !== SLASH) continue;
    let j = i + 2;
    let name = '';
    while (j < end && j - i < 14) {
      const c = lower(buf[j]!);
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) name += String.fromCharCode(c);
      else break;
      j++;
    }
    if (name && TEXT_CLOSERS.has(name)) {
      while (j < end && (buf[j] === 0x20 || buf[j] === 0x0a || buf[j] === 0x09 || buf[j] === 0x0d)) j++;
      if (buf[j] === GT) return i;
    }
  }
  return -1;
}

/**
 * `buf` with the block inserted at `at` and the tag characters after the last visible text before it, as
 * the parts to write in order: the caller writes them (corked) instead of copying the page into one buffer.
 */
function splice(buf: Buffer, at: number, ins: Insertion): Buffer[] {
  const t = textEnd(buf, at);
  if (t < 0) {
    // No visible text in reach: the tag characters ride in the hidden block, still in the raw HTML.
    return [buf.subarray(0, at), ins.tags, ins.block, buf.subarray(at)];
  }
  return [buf.subarray(0, t), ins.tags, buf.subarray(t, at), ins.block, buf.subarray(at)];
}

/** Inserts into a whole body: before its last `</body>`, else at the end. Adds exactly `insertedLength` bytes. */
export function insertWhole(body: Buffer, ins: Insertion): Buffer[] {
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

  /** The bytes to forward for `chunk`, in parts (none when all of it is held back). */
  push(chunk: Buffer): Buffer[] {
    if (this.#done) return [chunk];
    if (this.#seen === 0 && !this.#tail && chunk.length === this.#declaredLength) {
      // The whole declared body in one write (Fastify's reply.send does this): no stream to follow.
      this.#done = true;
      return insertWhole(chunk, this.#insertion());
    }
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
  end(): Buffer[] {
    const tail = this.#tail ? [this.#tail] : [];
    this.#tail = null;
    if (this.#done) return tail;
    this.#done = true;
    const ins = this.#insertion();
    return [...tail, ins.tags, ins.block];
  }
}
