/**
 * SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed pseudo-random function with a 128-bit key and a 64-bit
 * output, built for MACs over short inputs. Tokens are 19 bytes, so Node's native HMAC, whose cost here is
 * creating hash objects across the C++ boundary (3–6 µs each), costs far more than the hashing itself;
 * this runs in plain JavaScript in well under a microsecond.
 *
 * 64-bit words are held as pairs of unsigned 32-bit halves (`h`igh, `l`ow), so the whole function works
 * on small integers and allocates nothing.
 */
export class SipHash24 {
  readonly #k0l: number;
  readonly #k0h: number;
  readonly #k1l: number;
  readonly #k1h: number;

  /** `key` must be 16 bytes; it is read as two little-endian 64-bit words. */
  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError('SipHash-2-4 needs a 16-byte key');
    const k = Buffer.from(key.buffer, key.byteOffset, 16);
    this.#k0l = k.readUInt32LE(0);
    this.#k0h = k.readUInt32LE(4);
    this.#k1l = k.readUInt32LE(8);
    this.#k1h = k.readUInt32LE(12);
  }

  /** Writes the 8-byte (little-endian) SipHash-2-4 of `data[start..end)` into `out` at `outAt`. */
  hashInto(data: Uint8Array, start: number, end: number, out: Uint8Array, outAt: number): void {
    // Initial state: the key XOR "somepseudorandomlygeneratedbytes".
    let v0l = (this.#k0l ^ 0x70736575) >>> 0;
    let v0h = (this.#k0h ^ 0x736f6d65) >>> 0;
    let v1l = (this.#k1l ^ 0x6e646f6d) >>> 0;
    let v1h = (this.#k1h ^ 0x646f7261) >>> 0;
    let v2l = (this.#k0l ^ 0x6e657261) >>> 0;
    let v2h = (this.#k0h ^ 0x6c796765) >>> 0;
    let v3l = (this.#k1l ^ 0x79746573) >>> 0;
    let v3h = (this.#k1h ^ 0x74656462) >>> 0;
    const length = end - start;
    const words = (length >>> 3) + 1; // whole words, then the last one carrying the length
    let t = 0;
    // One loop for compression and finalisation keeps a single copy of the round (no helper calls,
    // which kept the state in memory and measured several times slower).
    for (let w = 0; w <= words; w++) {
      let ml = 0;
      let mh = 0;
      if (w < words) {
        const i = start + 8 * w;
        if (w < words - 1) {
          ml = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
          mh = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
        } else {
          // The last word: the remaining 0–7 bytes, little-endian, the length (mod 256) in the top byte.
          mh = (length & 0xff) << 24;
          for (let j = 0; i + j < end; j++) {
            if (j < 4) ml |= data[i + j]! << (8 * j);
            else mh |= data[i + j]! << (8 * (j - 4));
          }
        }
        ml >>>= 0;
        mh >>>= 0;
        v3l = (v3l ^ ml) >>> 0;
        v3h = (v3h ^ mh) >>> 0;
      } else {
        v2l = (v2l ^ 0xff) >>> 0;
      }
      for (let r = w < words ? 2 : 4; r > 0; r--) {
        // v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32
        t = (v0l + v1l) >>> 0;
        v0h = (v0h + v1h + (t < v0l ? 1 : 0)) >>> 0;
        v0l = t;
        t = (v1h << 13) | (v1l >>> 19);
        v1l = ((v1l << 13) | (v1h >>> 19)) ^ v0l;
        v1h = (t ^ v0h) >>> 0;
        v1l >>>= 0;
        t = v0l;
        v0l = v0h;
        v0h = t;
        // v2 += v3; v3 <<<= 16; v3 ^= v2
        t = (v2l + v3l) >>> 0;
        v2h = (v2h + v3h + (t < v2l ? 1 : 0)) >>> 0;
        v2l = t;
        t = (v3h << 16) | (v3l >>> 16);
        v3l = (((v3l << 16) | (v3h >>> 16)) ^ v2l) >>> 0;
        v3h = (t ^ v2h) >>> 0;
        // v0 += v3; v3 <<<= 21; v3 ^= v0
        t = (v0l + v3l) >>> 0;
        v0h = (v0h + v3h + (t < v0l ? 1 : 0)) >>> 0;
        v0l = t;
        t = (v3h << 21) | (v3l >>> 11);
        v3l = (((v3l << 21) | (v3h >>> 11)) ^ v0l) >>> 0;
        v3h = (t ^ v0h) >>> 0;
        // v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32
        t = (v2l + v1l) >>> 0;
        v2h = (v2h + v1h + (t < v2l ? 1 : 0)) >>> 0;
        v2l = t;
        t = (v1h << 17) | (v1l >>> 15);
        v1l = (((v1l << 17) | (v1h >>> 15)) ^ v2l) >>> 0;
        v1h = (t ^ v2h) >>> 0;
        t = v2l;
        v2l = v2h;
        v2h = t;
      }
      if (w < words) {
        v0l = (v0l ^ ml) >>> 0;
        v0h = (v0h ^ mh) >>> 0;
      }
    }
    const lo = v0l ^ v1l ^ v2l ^ v3l;
    const hi = v0h ^ v1h ^ v2h ^ v3h;
    out[outAt] = lo & 0xff;
    out[outAt + 1] = (lo >>> 8) & 0xff;
    out[outAt + 2] = (lo >>> 16) & 0xff;
    out[outAt + 3] = lo >>> 24;
    out[outAt + 4] = hi & 0xff;
    out[outAt + 5] = (hi >>> 8) & 0xff;
    out[outAt + 6] = (hi >>> 16) & 0xff;
    out[outAt + 7] = hi >>> 24;
  }

  /** The 8-byte SipHash-2-4 of `data`. */
  hash(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(8);
    this.hashInto(data, 0, data.length, out, 0);
    return out;
  }
}
