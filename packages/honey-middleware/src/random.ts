import { randomFillSync } from 'node:crypto';

/**
 * Cryptographically random values from one pooled buffer, refilled 8 KB at a time. A trap response draws
 * random data dozens of times (nonces, canary bodies, fake ids); each `randomBytes`/`randomInt` call crosses
 * into native code for a few bytes, which cost more than the rest of rendering the trap.
 */
const POOL = Buffer.allocUnsafe(8192);
let at = POOL.length;

/** Offset in `POOL` of `n` fresh bytes (n ≤ 256), refilling first when needed. */
function draw(n: number): number {
  if (at + n > POOL.length) {
    randomFillSync(POOL);
    at = 0;
  }
  const start = at;
  at += n;
  return start;
}

/** Writes `n` random bytes (n ≤ 256) into `out` at `offset`. */
export function fillRandom(out: Uint8Array, offset: number, n: number): void {
  const start = draw(n);
  for (let i = 0; i < n; i++) out[offset + i] = POOL[start + i]!;
}

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  const start = draw(bytes);
  return POOL.toString('hex', start, start + bytes);
}

/** `bytes` random bytes as base64url. */
export function randomBase64Url(bytes: number): string {
  const start = draw(bytes);
  return POOL.toString('base64url', start, start + bytes);
}

/** A uniform integer in [min, max) (like `crypto.randomInt`), by rejection sampling of 32-bit draws. */
export function randomInt(min: number, max?: number): number {
  const [lo, hi] = max === undefined ? [0, min] : [min, max];
  const range = hi - lo;
  if (!(range > 0 && range <= 2 ** 32)) throw new RangeError(`randomInt: bad range [${lo}, ${hi})`);
  const limit = 2 ** 32 - (2 ** 32 % range);
  for (;;) {
    const v = POOL.readUInt32LE(draw(4));
    if (v < limit) return lo + (v % range);
  }
}

const CHARS = Buffer.allocUnsafe(256);

/**
 * `n` characters drawn uniformly from `alphabet` (ASCII, at most 256 characters), a byte per character.
 * The characters are written as bytes and decoded once: adding them to a string one at a time cost more
 * than the draw (a 120-character canary tail is 120 string allocations).
 */
export function randomString(alphabet: string, n: number): string {
  if (n > CHARS.length)
    return randomString(alphabet, CHARS.length) + randomString(alphabet, n - CHARS.length);
  // Bytes at or above the largest multiple of the alphabet's size are skipped, so no character is favoured.
  const size = alphabet.length;
  const limit = 256 - (256 % size);
  let filled = 0;
  while (filled < n) {
    const want = Math.min(256, n - filled + 8);
    const start = draw(want);
    for (let i = start; i < start + want && filled < n; i++) {
      const b = POOL[i]!;
      if (b < limit) CHARS[filled++] = alphabet.charCodeAt(b % size);
    }
  }
  return CHARS.toString('latin1', 0, n);
}
