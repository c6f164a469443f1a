import { fillRandom } from './random.js';

const b = new Uint8Array(16); // the random bits of the id being made (ids are made synchronously)
let lastMs = 0;
let sequence = 0;

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Ids made in the same millisecond
 * by this process get an increasing 12-bit counter in `rand_a`, so they also sort in creation order.
 * @example uuidv7() // '0190f6b8-6c3a-7b1e-9f2d-4c5a1e2b3c4d'
 */
export function uuidv7(now: number = Date.now()): string {
  fillRandom(b, 0, 16);
  let ms = now;
  if (ms <= lastMs) {
    ms = lastMs;
    sequence = (sequence + 1) & 0xfff;
    // Counter exhausted inside one millisecond: borrow the next millisecond rather than repeat.
    if (sequence === 0) ms = ++lastMs;
  } else {
    lastMs = ms;
    sequence = (b[6]! & 0x07) << 8;
  }
  const hi = Math.floor(ms / 0x100000000);
  const lo = ms >>> 0;
  const t = [(hi >>> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff];
  const v6 = 0x70 | ((sequence >>> 8) & 0x0f);
  const v7 = sequence & 0xff;
  const v8 = (b[8]! & 0x3f) | 0x80;
  return (
    HEX[t[0]!]! +
    HEX[t[1]!] +
    HEX[t[2]!] +
    HEX[t[3]!] +
    '-' +
    HEX[t[4]!] +
    HEX[t[5]!] +
    '-' +
    HEX[v6] +
    HEX[v7] +
    '-' +
    HEX[v8] +
    HEX[b[9]!] +
    '-' +
    HEX[b[10]!] +
    HEX[b[11]!] +
    HEX[b[12]!] +
    HEX[b[13]!] +
    HEX[b[14]!] +
    HEX[b[15]!]
  );
}

/** Milliseconds encoded in a UUIDv7, for tests and ordering checks. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
