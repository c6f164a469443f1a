import { randomBytes } from 'node:crypto';
import { Planter, type PlanterInit } from '../embed/planter.js';
import { encodeTags, encodeZeroWidth } from '../embed/zero-width.js';
import {
  TOKEN_LENGTH,
  type TokenChannel,
  type TokenCodec,
  type TokenKind,
  type TokenReach,
  tokenHead,
} from '../tokens.js';
import { tripwireContent } from './block.js';
import type { Insertion } from './inserter.js';

/**
 * Page tripwires are minted on the request path of the app's own pages, so they must cost next to
 * nothing. The block is the same text every time except its tokens: it is rendered once per origin (a few
 * renderings, for varied phrasing) with marker tokens, split at the markers into static bytes and token
 * slots, and each response then only mints its tokens straight into a copy of the bytes.
 */

type Encoding = 'ascii' | 'zero-width' | 'tags';
interface Slot {
  token: number;
  encoding: Encoding;
}
type Part = Buffer | Slot;

const ENCODED_SIZE: Record<Encoding, number> = { ascii: 1, 'zero-width': 24, tags: 4 };
/** Renderings per origin: the phrasing is picked at random while rendering, so responses vary. */
const RENDERINGS = 4;
/** Origins come from the Host header; past this many the cache starts over instead of growing. */
const MAX_ORIGINS = 64;

/** A planter that hands out marker tokens and remembers what each one stands for. */
class MarkerPlanter extends Planter {
  /** Byte 4 (kind, reach, channel) of the token each marker stands for. */
  readonly heads: number[] = [];
  readonly markers: string[] = [];
  override token(kind: TokenKind, channel: TokenChannel, reach: TokenReach): string {
    // Letters and digits only, so no escaping or comment defusing can change a marker.
    const marker = randomBytes(32)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, TOKEN_LENGTH);
    if (marker.length < TOKEN_LENGTH) return this.token(kind, channel, reach);
    this.heads.push(tokenHead({ kind, channel, reach }));
    this.markers.push(marker);
    return marker;
  }
}

function split(text: string, markers: string[]): { parts: Part[]; size: number } {
  const needles: { text: string; slot: Slot }[] = [];
  markers.forEach((m, token) => {
    needles.push({ text: m, slot: { token, encoding: 'ascii' } });
    needles.push({ text: encodeZeroWidth(m), slot: { token, encoding: 'zero-width' } });
    needles.push({ text: encodeTags(m), slot: { token, encoding: 'tags' } });
  });
  const parts: Part[] = [];
  let size = 0;
  let at = 0;
  for (;;) {
    let next: { index: number; needle: (typeof needles)[number] } | null = null;
    for (const needle of needles) {
      const index = text.indexOf(needle.text, at);
      if (index >= 0 && (!next || index < next.index)) next = { index, needle };
    }
    const end = next ? next.index : text.length;
    if (end > at) {
      const bytes = Buffer.from(text.slice(at, end));
      parts.push(bytes);
      size += bytes.length;
    }
    if (!next) return { parts, size };
    parts.push(next.needle.slot);
    size += TOKEN_LENGTH * ENCODED_SIZE[next.needle.slot.encoding];
    at = next.index + next.needle.text.length;
  }
}

/** One rendering of the tripwire with its tokens left as slots. */
class Template {
  /** Byte 4 (kind, reach, channel) of each token, in marker order. */
  readonly #heads: number[];
  readonly #block: { parts: Part[]; size: number };
  readonly #tags: { parts: Part[]; size: number };
  constructor(init: PlanterInit) {
    const planter = new MarkerPlanter(init);
    const content = tripwireContent(planter);
    this.#heads = planter.heads;
    this.#block = split(content.block, planter.markers);
    this.#tags = split(content.tags, planter.markers);
  }

  fill(codec: TokenCodec, subject: Uint8Array): Insertion {
    const tokens = Buffer.allocUnsafe(this.#heads.length * TOKEN_LENGTH);
    const issuedAt = Math.floor(Date.now() / 1000);
    for (let i = 0, at = 0; i < this.#heads.length; i++, at += TOKEN_LENGTH) {
      // The block has an HTML comment, which may not contain "--": re-mint the rare token that has it.
      do codec.mintAscii(this.#heads[i]!, issuedAt, subject, tokens, at);
      while (hasDoubleDash(tokens, at));
    }
    return { block: assemble(this.#block, tokens), tags: assemble(this.#tags, tokens) };
  }
}

const DOUBLE_DASH = Buffer.from('--');

/** Does the token at `at` hold "--"? A native search: a byte loop was 40 % of minting the tokens. */
function hasDoubleDash(tokens: Buffer, at: number): boolean {
  const i = tokens.indexOf(DOUBLE_DASH, at);
  return i >= 0 && i < at + TOKEN_LENGTH - 1;
}

function assemble(template: { parts: Part[]; size: number }, tokens: Buffer): Buffer {
  const out = Buffer.allocUnsafe(template.size);
  let at = 0;
  for (const part of template.parts) {
    if (Buffer.isBuffer(part)) {
      out.set(part, at); // TypedArray#set: cheaper than Buffer#copy for these short parts
      at += part.length;
    } else {
      at = encodeToken(tokens, part.token * TOKEN_LENGTH, part.encoding, out, at);
    }
  }
  return out;
}

/** Writes the ASCII token at `tokens[from..]` in the slot's encoding, as UTF-8; returns the next offset. */
function encodeToken(tokens: Buffer, from: number, encoding: Encoding, out: Buffer, at: number): number {
  const to = from + TOKEN_LENGTH;
  if (encoding === 'ascii') {
    out.set(tokens.subarray(from, to), at);
    return at + TOKEN_LENGTH;
  }
  if (encoding === 'tags') {
    // U+E0000 + c (a Unicode tag character) is F3 A0 (80 | c >> 6) (80 | c & 3F) in UTF-8.
    for (let i = from; i < to; i++, at += 4) {
      const c = tokens[i]!;
      out[at] = 0xf3;
      out[at + 1] = 0xa0;
      out[at + 2] = 0x80 | (c >> 6);
      out[at + 3] = 0x80 | (c & 0x3f);
    }
    return at;
  }
  // Zero-width: eight characters per byte, most significant bit first; U+200C (E2 80 8C) is 1, U+200B
  // (E2 80 8B) is 0. The last byte is computed, not chosen: a branch on random bits is mispredicted half
  // the time, which made this loop most of what a page tripwire cost to assemble.
  for (let i = from; i < to; i++) {
    const c = tokens[i]!;
    for (let bit = 7; bit >= 0; bit--, at += 3) {
      out[at] = 0xe2;
      out[at + 1] = 0x80;
      out[at + 2] = 0x8b + ((c >> bit) & 1);
    }
  }
  return at;
}

/** Page tripwires for one engine: renderings cached per origin, tokens minted per response. */
export class TripwireTemplates {
  readonly #init: Omit<PlanterInit, 'origin' | 'session'>;
  readonly #byOrigin = new Map<string, Template[]>();
  constructor(init: Omit<PlanterInit, 'origin' | 'session'>) {
    this.#init = init;
  }

  /** A fresh tripwire for `session` on a page of `origin`. */
  mint(origin: string, session: string): Insertion {
    let renderings = this.#byOrigin.get(origin);
    if (!renderings) {
      if (this.#byOrigin.size >= MAX_ORIGINS) this.#byOrigin.clear();
      renderings = [];
      this.#byOrigin.set(origin, renderings);
    }
    // One new rendering per page until there are enough: a flood of made-up Host headers then costs one
    // rendering per page (what every page cost before templates), never four.
    if (renderings.length < RENDERINGS) {
      // Markers stand in for tokens, so the session in the rendering is never used.
      renderings.push(new Template({ ...this.#init, origin, session: '' }));
    }
    const template = renderings[Math.floor(Math.random() * renderings.length)]!;
    return template.fill(this.#init.codec, this.#init.codec.subject(session, this.#init.trapRef));
  }
}
