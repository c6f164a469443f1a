import { describe, expect, it } from 'vitest';
import { TOKEN_CHANNELS, TOKEN_REACHES, TokenCodec, trapRef } from '../src/tokens.js';

const codec = new TokenCodec('token-test-secret-0123456789');
const input = {
  kind: 'callback',
  channel: 'html-comment',
  reach: 'text',
  variant: 0,
  session: 'a1b2c3d4e5f6',
  trapRef: trapRef('default:dotenv'),
} as const;

describe('tokens', () => {
  it('round-trips every field, statelessly, in any codec with the same secret', () => {
    for (const channel of TOKEN_CHANNELS) {
      for (const reach of TOKEN_REACHES) {
        const token = codec.mint({ ...input, channel, reach });
        expect(token).toMatch(/^[A-Za-z0-9_-]{36}$/);
        const check = new TokenCodec('token-test-secret-0123456789').verify(token);
        expect(check).toMatchObject({
          ok: true,
          claims: { kind: 'callback', channel, reach, session: 'a1b2c3d4e5f6', trapRef: input.trapRef },
        });
        if (check.ok) expect(Math.abs(check.claims.issuedAt - Date.now() / 1000)).toBeLessThan(5);
      }
    }
  });

  it('hides structure: tokens of one response share no long substring', () => {
    const a = codec.mint(input);
    const b = codec.mint(input);
    for (let i = 0; i + 6 <= 36; i++) expect(b).not.toContain(a.slice(i, i + 6));
  });

  it('rejects a token from another secret, any altered character, truncation and extension', () => {
    const token = codec.mint(input);
    expect(new TokenCodec('some-other-secret-0123456789').verify(token)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    for (let i = 0; i < 36; i++) {
      const swapped = token[i] === 'A' ? 'B' : 'A';
      const altered = token.slice(0, i) + swapped + token.slice(i + 1);
      expect(codec.verify(altered).ok, `position ${i}`).toBe(false);
    }
    expect(codec.verify(token.slice(0, 35))).toEqual({ ok: false, reason: 'malformed' });
    expect(codec.verify(`${token}A`)).toEqual({ ok: false, reason: 'malformed' });
    expect(codec.verify('')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses tokens issued in the future', () => {
    const token = codec.mint({ ...input, issuedAt: Math.floor(Date.now() / 1000) + 3600 });
    expect(codec.verify(token)).toEqual({ ok: false, reason: 'future' });
  });

  it('gives trap ids a stable non-zero 24-bit reference', () => {
    expect(trapRef('default:dotenv')).toBe(trapRef('default:dotenv'));
    expect(trapRef('default:dotenv')).toMatch(/^[0-9a-f]{6}$/);
    expect(trapRef('default:dotenv')).not.toBe('000000');
    expect(trapRef('x')).not.toBe(trapRef('y'));
  });
});
