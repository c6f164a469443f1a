import { createHmac, timingSafeEqual } from 'node:crypto';
import { fillRandom } from './random.js';
import { SipHash24 } from './siphash.js';

/** What a token is for: a URL to fetch, a URL to report identity to, or a canary credential. */
export type TokenKind = 'callback' | 'extraction' | 'canary';
/** Who can possibly follow a token (DESIGN §3): link followers, raw-content readers, or text obeyers. */
export type TokenReach = 'link' | 'text' | 'instruction';
/**
 * Where the token was planted: the six `injection_formats`, plus `structural` (a link in the file's own
 * syntax: a robots.txt `Disallow:` line, a sitemap `<loc>`, a JSON `href`) and `credential` (a canary).
 */
export type TokenChannel =
  | 'html-comment'
  | 'css-hidden'
  | 'json-meta'
  | 'zero-width'
  | 'script-ignore'
  | 'prose'
  | 'structural'
  | 'credential';

export const TOKEN_KINDS: readonly TokenKind[] = ['callback', 'extraction', 'canary'];
export const TOKEN_REACHES: readonly TokenReach[] = ['link', 'text', 'instruction'];
export const TOKEN_CHANNELS: readonly TokenChannel[] = [
  'html-comment',
  'css-hidden',
  'json-meta',
  'zero-width',
  'script-ignore',
  'prose',
  'structural',
  'credential',
];

/** The decoded, verified content of a token. */
export interface TokenClaims {
  /** 16 hex characters: 32 random bits + issue second; unique per token in practice. */
  id: string;
  kind: TokenKind;
  channel: TokenChannel;
  reach: TokenReach;
  /** Canary variant index (see canaries.ts); 0 for other kinds. */
  variant: number;
  /** Session reference of the visitor the token was planted for (12 hex characters, a fingerprint). */
  session: string;
  /** 24-bit reference of the trap that planted it (6 hex characters); `000000` = none. */
  trapRef: string;
  /** Issue time, Unix seconds. */
  issuedAt: number;
}

export type TokenInput = Omit<TokenClaims, 'id' | 'issuedAt'> & { issuedAt?: number };

/** Result of checking a string that looks like a token. */
export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'future' };

// Layout (27 bytes, 36 base64url characters):
//   0..3   random nonce
//   4..18  masked with a keystream SipHash(maskKey, nonce ‖ 0) ‖ SipHash(maskKey, nonce ‖ 1), so that tokens
//          of one response share no visible substring:
//          4 kind(2 bits) | reach(2) | channel(4); 5 variant; 6..9 issued-at seconds (uint32 BE);
//          10..15 session reference; 16..18 trap reference
//   19..26 SipHash-2-4 (a 64-bit MAC, 128-bit key) over nonce + plain bytes 4..18: an online forger needs
//          ~2^63 requests, and any altered or truncated token fails.
// Format v2: v1 used HMAC-SHA256 for both, which cost ~12 µs per token in Node's native crypto objects.
export const TOKEN_BYTES = 27;
export const TOKEN_LENGTH = 36;
const BODY = 19;
const MAC = 8;
const TOKEN_RE = /^[A-Za-z0-9_-]{36}$/;

/** Signs and verifies tokens with a key derived from the install's secret. */
export class TokenCodec {
  readonly #mac: SipHash24;
  readonly #mask: SipHash24;
  readonly #tag: SipHash24;
  readonly #scratch = Buffer.alloc(16);
  readonly #raw = Buffer.alloc(TOKEN_BYTES);
  #subjectSession = '';
  #subjectTrap = '';
  #subject: Buffer = tokenSubject('', '');
  constructor(secret: string | Uint8Array) {
    // Dedicated sub-keys: the raw secret is also used for fingerprints and the callback prefix.
    this.#mac = new SipHash24(subKey(secret, 'lobster-honey/token-mac/v2'));
    this.#mask = new SipHash24(subKey(secret, 'lobster-honey/token-mask/v2'));
    this.#tag = new SipHash24(subKey(secret, 'lobster-honey/token-tag/v2'));
  }

  /** Creates the 27 raw bytes of a fresh token. */
  mintBytes(input: TokenInput): Buffer {
    const buf = Buffer.allocUnsafe(TOKEN_BYTES);
    const issuedAt = input.issuedAt ?? Math.floor(Date.now() / 1000);
    this.#seal(buf, tokenHead(input), input.variant, issuedAt, this.subject(input.session, input.trapRef));
    return buf;
  }

  /**
   * `tokenSubject(session, trapRef)`, remembered for the last pair asked: a trap response or a page
   * tripwire mints all its tokens for one visitor and trap. The buffer is shared: read it, never write it.
   */
  subject(session: string, trapRef: string): Buffer {
    if (session !== this.#subjectSession || trapRef !== this.#subjectTrap) {
      this.#subject = tokenSubject(session, trapRef);
      this.#subjectSession = session;
      this.#subjectTrap = trapRef;
    }
    return this.#subject;
  }

  /** Creates a fresh token string (36 base64url characters). */
  mint(input: TokenInput): string {
    return this.mintBytes(input).toString('base64url');
  }

  /**
   * Writes a fresh token as 36 base64url ASCII bytes into `out` at `at`, for callers that assemble
   * bytes rather than strings on the request path (page tripwires): nothing is allocated.
   * `head` comes from `tokenHead()`, `subject` from `tokenSubject()`.
   */
  mintAscii(head: number, issuedAt: number, subject: Uint8Array, out: Buffer, at: number): void {
    const raw = this.#raw;
    this.#seal(raw, head, 0, issuedAt, subject);
    for (let i = 0, o = at; i < TOKEN_BYTES; i += 3, o += 4) {
      const n = (raw[i]! << 16) | (raw[i + 1]! << 8) | raw[i + 2]!;
      out[o] = B64URL[n >>> 18]!;
      out[o + 1] = B64URL[(n >>> 12) & 63]!;
      out[o + 2] = B64URL[(n >>> 6) & 63]!;
      out[o + 3] = B64URL[n & 63]!;
    }
  }

  #seal(buf: Buffer, head: number, variant: number, issuedAt: number, subject: Uint8Array): void {
    fillRandom(buf, 0, 4);
    buf[4] = head;
    buf[5] = variant & 0xff;
    buf.writeUInt32BE(issuedAt >>> 0, 6);
    for (let i = 0; i < 9; i++) buf[10 + i] = subject[i]!;
    this.#mac.hashInto(buf, 0, BODY, buf, BODY);
    this.#applyMask(buf);
  }

  /** Checks a token string without any state: shape, then MAC, then a sane issue time. */
  verify(token: string, nowSeconds: number = Math.floor(Date.now() / 1000)): TokenCheck {
    if (!TOKEN_RE.test(token)) return { ok: false, reason: 'malformed' };
    return this.verifyBytes(Buffer.from(token, 'base64url'), nowSeconds);
  }

  /** As `verify`, for tokens carried in another alphabet (canaries) and decoded by the caller. */
  verifyBytes(buf: Uint8Array, nowSeconds: number = Math.floor(Date.now() / 1000)): TokenCheck {
    if (buf.length !== TOKEN_BYTES) return { ok: false, reason: 'malformed' };
    const b = Buffer.from(buf);
    this.#applyMask(b);
    const expected = this.#scratch;
    this.#mac.hashInto(b, 0, BODY, expected, 0);
    if (!timingSafeEqual(expected.subarray(0, MAC), b.subarray(BODY, BODY + MAC)))
      return { ok: false, reason: 'bad-signature' };
    const head = b[4]!;
    const kind = TOKEN_KINDS[head >> 6];
    const reach = TOKEN_REACHES[(head >> 4) & 3];
    const channel = TOKEN_CHANNELS[head & 15];
    if (!kind || !reach || !channel) return { ok: false, reason: 'malformed' };
    const issuedAt = b.readUInt32BE(6);
    // A signed token from the future means a clock problem or a leaked key; either way, not evidence.
    if (issuedAt > nowSeconds + 300) return { ok: false, reason: 'future' };
    return {
      ok: true,
      claims: {
        id: b.toString('hex', 0, 4) + b.toString('hex', 6, 10),
        kind,
        channel,
        reach,
        variant: b[5]!,
        session: b.toString('hex', 10, 16),
        trapRef: b.toString('hex', 16, 19),
        issuedAt,
      },
    };
  }

  /** A keyed 8-byte tag of `label` and `data`, for compact derived values. */
  tag(label: string, data: Uint8Array): Buffer {
    return this.#tag.hash(Buffer.concat([Buffer.from(`${label}\0`), data]));
  }

  /** XORs bytes 4..18 with a keystream keyed by the nonce; applying it twice restores them. */
  #applyMask(buf: Buffer): void {
    const input = this.#scratch;
    for (let i = 0; i < 4; i++) input[i] = buf[i]!;
    input[4] = 0;
    this.#mask.hashInto(input, 0, 5, input, 8);
    input[4] = 1;
    this.#mask.hashInto(input, 0, 5, input, 0);
    // input[8..16) is the first keystream word, input[0..8) the second (it overwrote the nonce).
    for (let i = 4; i < 12; i++) buf[i] = buf[i]! ^ input[i + 4]!;
    for (let i = 12; i < BODY; i++) buf[i] = buf[i]! ^ input[i - 12]!;
  }
}

/** A 16-byte key for one purpose, derived from the install's secret (once per codec). */
function subKey(secret: string | Uint8Array, label: string): Buffer {
  return createHmac('sha256', secret).update(label).digest().subarray(0, 16);
}

/** Byte 4 of a token: its kind, reach and channel. */
export function tokenHead(t: { kind: TokenKind; reach: TokenReach; channel: TokenChannel }): number {
  return (
    (TOKEN_KINDS.indexOf(t.kind) << 6) |
    (TOKEN_REACHES.indexOf(t.reach) << 4) |
    TOKEN_CHANNELS.indexOf(t.channel)
  );
}

/** The 9 bytes naming whom a token was planted for and by which trap (bytes 10..18 of a token). */
export function tokenSubject(session: string, trapRef: string): Buffer {
  const b = Buffer.alloc(9);
  hexInto(session, 12, b, 0);
  hexInto(trapRef, 6, b, 6);
  return b;
}

/** The first `digits` hex digits of `hex` as bytes (missing or non-hex digits count as 0). */
function hexInto(hex: string, digits: number, out: Buffer, at: number): void {
  for (let i = 0; i < digits; i += 2) out[at + i / 2] = (nibble(hex, i) << 4) | nibble(hex, i + 1);
}

function nibble(s: string, i: number): number {
  const c = i < s.length ? s.charCodeAt(i) | 0x20 : 0x30; // | 0x20 lower-cases letters
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return 0;
}

const B64URL = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

/** 24-bit reference of a trap id, as carried in tokens. Never `000000`, which means "no trap". */
export function trapRef(trapId: string): string {
  // FNV-1a: stable across processes and instances, so any instance can map a token back to its trap.
  let h = 0x811c9dc5;
  for (let i = 0; i < trapId.length; i++) {
    h ^= trapId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  const ref = (h >>> 8) & 0xffffff || 1;
  return ref.toString(16).padStart(6, '0');
}

/** A short keyed tag (at most 8 bytes) for formats too small for a whole token (the AWS access key id). */
export function shortTag(codec: TokenCodec, label: string, data: Uint8Array, length: number): Buffer {
  return codec.tag(label, data).subarray(0, length);
}
