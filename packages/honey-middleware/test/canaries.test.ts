import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  awsAccessKeyId,
  matchAnyCanary,
  matchPrefixedCanary,
  mintCanaries,
  toBase62,
} from '../src/canaries.js';
import { TokenCodec } from '../src/tokens.js';

const codec = new TokenCodec('canary-test-secret-0123456789');
const mint = (session = '0a0b0c0d0e0f') => mintCanaries({ codec, session, trapRef: '123456' });

describe('canary credentials', () => {
  it('encode token bytes in base 62 exactly, at a fixed width', () => {
    const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const reference = (bytes: Uint8Array): string => {
      let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
      let out = '';
      for (let i = 0; i < 37; i++, n /= 62n) out = B62[Number(n % 62n)] + out;
      return out;
    };
    const cases = [Buffer.alloc(27), Buffer.alloc(27, 0xff), Buffer.from([1]), Buffer.alloc(26, 0x80)];
    for (let i = 0; i < 500; i++) cases.push(randomBytes(27));
    for (const bytes of cases) expect(toBase62(bytes)).toBe(reference(bytes));
  });

  it('look like the real thing', () => {
    const c = mint();
    expect(c.openai).toMatch(/^sk-proj-[A-Za-z0-9_-]{156}$/);
    expect(c.anthropic).toMatch(/^sk-ant-api03-[A-Za-z0-9_-]{93}AA$/);
    expect(c.awsAccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(c.awsSecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(c.stripe).toMatch(/^sk_live_51[A-Za-z0-9]{97}$/);
    expect(c.github).toMatch(/^github_pat_11[A-Z0-9]{20}_[A-Za-z0-9]{59}$/);
    expect(c.databaseUrl).toMatch(
      /^postgres:\/\/app_rw:[A-Za-z0-9_-]{36}@db-primary\.internal:5432\/app_production$/,
    );
    expect(c.adminPassword).toMatch(/^[A-Za-z0-9_-]{36}$/);
  });

  it('are unique per response and per visitor, and each names its visitor', () => {
    const a = mint('aaaaaaaaaaaa');
    const b = mint('aaaaaaaaaaaa');
    const c = mint('cccccccccccc');
    expect(a.openai).not.toBe(b.openai);
    expect(a.awsAccessKeyId).not.toBe(c.awsAccessKeyId);
    const expectations: [string, string][] = [
      [a.openai, 'openai_key'],
      [a.anthropic, 'anthropic_key'],
      [a.awsAccessKeyId, 'aws_access_key'],
      [a.awsSecretAccessKey, 'aws_access_key'],
      [a.stripe, 'stripe_key'],
      [a.github, 'github_token'],
      [a.databasePassword, 'database_url'],
      [a.adminPassword, 'admin_password'],
    ];
    for (const [value, kind] of expectations) {
      expect(matchAnyCanary(codec, value), kind).toMatchObject({
        kind,
        claims: { session: 'aaaaaaaaaaaa', kind: 'canary' },
      });
    }
  });

  it('prefix matching ignores bare forms and anything not signed by this install', () => {
    const a = mint();
    expect(matchPrefixedCanary(codec, a.adminPassword)).toBeNull();
    expect(matchPrefixedCanary(codec, 'eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBeNull();
    const other = new TokenCodec('another-secret-0123456789');
    expect(matchAnyCanary(other, a.openai)).toBeNull();
    expect(matchAnyCanary(other, a.awsAccessKeyId)).toBeNull();
    // One character changed (to one it was not: a random tail is 'X' there one time in 62).
    const altered = a.stripe[20] === 'X' ? 'Y' : 'X';
    expect(matchAnyCanary(codec, `${a.stripe.slice(0, 20)}${altered}${a.stripe.slice(21)}`)).toBeNull();
    expect(awsAccessKeyId(codec, '0a0b0c0d0e0f')).toBe(a.awsAccessKeyId);
  });
});
