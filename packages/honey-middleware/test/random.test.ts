import { describe, expect, it } from 'vitest';
import { fillRandom, randomBase64Url, randomHex, randomInt, randomString } from '../src/random.js';

describe('pooled randomness', () => {
  it('gives hex and base64url of the asked size, different every time, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const h = randomHex(16);
      expect(h).toMatch(/^[0-9a-f]{32}$/);
      seen.add(h);
    }
    expect(seen.size).toBe(2000);
    expect(randomBase64Url(24)).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('fills exactly the bytes asked for', () => {
    const buf = Buffer.alloc(12, 0xaa);
    fillRandom(buf, 4, 4);
    expect(buf.subarray(0, 4).toString('hex') + buf.subarray(8).toString('hex')).toBe('aaaaaaaaaaaaaaaa');
  });

  it('draws integers uniformly inside [min, max) and refuses an empty range', () => {
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[randomInt(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(600); // > 6 standard deviations
    for (let i = 0; i < 1000; i++) {
      const v = randomInt(1000, 1003);
      expect(v >= 1000 && v < 1003).toBe(true);
    }
    expect(() => randomInt(5, 5)).toThrow(/bad range/);
  });

  it('builds strings from any alphabet, every character equally likely', () => {
    const s = randomString('abc', 30_000);
    expect(s).toMatch(/^[abc]{30000}$/);
    for (const c of 'abc') expect(Math.abs(s.split(c).length - 1 - 10_000)).toBeLessThan(600);
    expect(randomString('0123456789', 1000)).toHaveLength(1000);
  });
});
