import { createHash, createHmac, type Hash, randomFillSync, timingSafeEqual } from 'node:crypto';

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
//   4..18  masked with HMAC(maskKey, nonce) so that tokens of one response share no visible substring:
//          4 kind(2 bits) | reach(2) | channel(4); 5 variant; 6..9 issued-at seconds (uint32 BE);
//          10..15 session reference; 16..18 trap reference
//   19..26 HMAC-SHA256 over nonce + plain bytes 4..18, truncated to 64 bits: an online forger needs
//          ~2^63 requests, and any altered or truncated token fails.
export const TOKEN_BYTES = 27;
export const TOKEN_LENGTH = 36;
const BODY = 19;
const MAC = 8;
const TOKEN_RE = /^[A-Za-z0-9_-]{36}$/;

// Nonces come from a pooled random buffer: one randomFillSync per 1024 tokens instead of one per token.
const POOL = Buffer.allocUnsafe(4096);
let poolAt = POOL.length;
function fillNonce(buf: Buffer): void {
  if (poolAt + 4 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  POOL.copy(buf, 0, poolAt, poolAt + 4);
  poolAt += 4;
}

/**
 * HMAC-SHA256 with the keyed inner and outer hash states computed once (RFC 2104): each MAC copies two
 * states instead of setting up a new HMAC, which is most of the cost for inputs this short.
 */
class FastHmac {
  readonly #inner: Hash;
  readonly #outer: Hash;
  constructor(key: Buffer) {
    const block = Buffer.alloc(64);
    key.copy(block); // keys here are 32-byte digests, shorter than the block
    this.#inner = createHash('sha256').update(block.map((b) => b ^ 0x36));
    this.#outer = createHash('sha256').update(block.map((b) => b ^ 0x5c));
  }
  digest(data: Uint8Array): Buffer {
    return this.#outer.copy().update(this.#inner.copy().update(data).digest()).digest();
  }
}

/** Signs and verifies tokens with a key derived from the install's secret. */
export class TokenCodec {
  readonly #key: Buffer;
  readonly #mac1: FastHmac;
  readonly #mask1: FastHmac;
  constructor(secret: string | Uint8Array) {
    // Dedicated sub-keys: the raw secret is also used for fingerprints and the callback prefix.
    this.#key = createHmac('sha256', secret).update('lobster-honey/token/v1').digest();
    this.#mac1 = new FastHmac(this.#key);
    this.#mask1 = new FastHmac(createHmac('sha256', secret).update('lobster-honey/token-mask/v1').digest());
  }

  /** Creates the 27 raw bytes of a fresh token. */
  mintBytes(input: TokenInput): Buffer {
    const buf = Buffer.allocUnsafe(TOKEN_BYTES);
    const kind = TOKEN_KINDS.indexOf(input.kind);
    const reach = TOKEN_REACHES.indexOf(input.reach);
    const channel = TOKEN_CHANNELS.indexOf(input.channel);
    fillNonce(buf);
    buf[4] = (kind << 6) | (reach << 4) | channel;
    buf[5] = input.variant & 0xff;
    buf.writeUInt32BE((input.issuedAt ?? Math.floor(Date.now() / 1000)) >>> 0, 6);
    buf.write(input.session.padEnd(12, '0').slice(0, 12), 10, 'hex');
    buf.write(input.trapRef.padEnd(6, '0').slice(0, 6), 16, 'hex');
    this.#mac(buf).copy(buf, BODY, 0, MAC);
    this.#mask(buf);
    return buf;
  }

  /** Creates a fresh token string (36 base64url characters). */
  mint(input: TokenInput): string {
    return this.mintBytes(input).toString('base64url');
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
    this.#mask(b);
    const expected = this.#mac(b).subarray(0, MAC);
    if (!timingSafeEqual(expected, b.subarray(BODY, BODY + MAC)))
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

  /** HMAC of `data` under the token key and a label, for compact derived values. */
  tag(label: string, data: Uint8Array): Buffer {
    return createHmac('sha256', this.#key).update(label).update(data).digest();
  }

  /** XORs bytes 4..18 with a keystream keyed by the nonce; applying it twice restores them. */
  #mask(buf: Buffer): void {
    const stream = this.#mask1.digest(buf.subarray(0, 4));
    for (let i = 4; i < BODY; i++) buf[i] = buf[i]! ^ stream[i - 4]!;
  }

  #mac(buf: Buffer): Buffer {
    return this.#mac1.digest(buf.subarray(0, BODY));
  }
}

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

/** A short keyed tag for formats too small for a whole token (the 20-character AWS access key id). */
export function shortTag(codec: TokenCodec, label: string, data: Uint8Array, length: number): Buffer {
  return codec.tag(label, data).subarray(0, length);
}
