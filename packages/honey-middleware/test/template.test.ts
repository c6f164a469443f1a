import { describe, expect, it } from 'vitest';
import { decodeTags, decodeZeroWidth } from '../src/embed/zero-width.js';
import { TokenCodec, trapRef } from '../src/tokens.js';
import { TRIPWIRE_TRAP_ID } from '../src/tripwires/block.js';
import { TripwireTemplates } from '../src/tripwires/template.js';

const codec = new TokenCodec('template-test-secret-0123456789');
const PREFIX = '/_lh/t3st';
const templates = new TripwireTemplates({
  codec,
  trapRef: trapRef(TRIPWIRE_TRAP_ID),
  callbackPrefix: PREFIX,
  basePath: '',
});
// A token is a 36-character base64url word: in a URL, or as the code an instruction asks to append.
const TOKEN = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{36})(?![A-Za-z0-9_-])/g;

/** Every token a text carries, checked with the codec. */
function claimsIn(text: string) {
  return [...text.matchAll(TOKEN)].map((m) => {
    const check = codec.verify(m[1]!);
    if (!check.ok) throw new Error(`token ${m[1]} does not verify: ${check.reason}`);
    return check.claims;
  });
}

describe('tripwire templates', () => {
  it('mint blocks whose every token verifies, in every encoding, and whose comment stays a comment', () => {
    // A token's id is 32 random bits and its issue second, so among these 21,000 tokens of one or two
    // seconds a repeat or two happens by chance (about one run in twenty); a template that reused its
    // tokens would repeat thousands.
    const seen = new Set<string>();
    let repeats = 0;
    // Enough blocks that tokens with "--" (about 1 in 120) are re-minted many times over.
    for (let n = 0; n < 3000; n++) {
      const session = n.toString(16).padStart(12, '0');
      const { block, tags } = templates.mint('https://shop.example', session);
      const html = block.toString('utf8');
      for (const [, inner] of html.matchAll(/<!--([\s\S]*?)-->/g)) expect(inner).not.toContain('--');
      const literal = claimsIn(html);
      const zeroWidth = claimsIn(decodeZeroWidth(html));
      const tagged = claimsIn(decodeTags(tags.toString('utf8')));
      // link, comment, script, callback and extraction instructions
      expect(literal).toHaveLength(5);
      expect(zeroWidth).toHaveLength(1);
      expect(tagged).toHaveLength(1);
      const claims = [...literal, ...zeroWidth, ...tagged];
      expect(new Set(claims.map((c) => c.id)).size).toBe(claims.length);
      for (const c of claims) {
        expect(c.session).toBe(session);
        if (seen.has(c.id)) repeats++;
        seen.add(c.id);
      }
      expect(zeroWidth[0]).toMatchObject({ channel: 'zero-width', reach: 'text' });
      expect(tagged[0]).toMatchObject({ channel: 'zero-width', reach: 'instruction' });
    }
    expect(repeats).toBeLessThanOrEqual(3);
  });
});
