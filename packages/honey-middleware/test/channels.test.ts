import { describe, expect, it } from 'vitest';
import { plantJson, plantText } from '../src/embed/plant.js';
import { Planter } from '../src/embed/planter.js';
import type { TextSyntax } from '../src/embed/syntax.js';
import { decodeTags, decodeZeroWidth, encodeTags, encodeZeroWidth } from '../src/embed/zero-width.js';
import { INJECTION_FORMATS, type InjectionFormat } from '../src/index.js';
import { TokenCodec, type TokenReach } from '../src/tokens.js';

const codec = new TokenCodec('channel-test-secret-0123456789');
const planter = () =>
  new Planter({
    codec,
    session: '0123456789ab',
    trapRef: 'abcdef',
    origin: 'https://shop.example',
    callbackPrefix: '/cb/x',
    basePath: '',
  });

/** Which reaches each channel must plant, per syntax that can carry it. */
const WANT: Record<InjectionFormat, TokenReach[]> = {
  'html-comment': ['text', 'instruction'],
  'css-hidden': ['link'],
  'json-meta': ['text'],
  'zero-width': ['text', 'instruction'],
  'script-ignore': ['text', 'instruction'],
  prose: ['instruction'],
};
const CARRIES: Record<InjectionFormat, TextSyntax[]> = {
  'html-comment': ['html', 'xml', 'markdown', 'hash', 'env', 'slash'],
  'css-hidden': ['html', 'markdown'],
  'json-meta': ['html', 'xml', 'markdown', 'hash', 'env', 'slash'],
  'zero-width': ['html', 'xml', 'markdown', 'hash', 'env', 'slash'],
  'script-ignore': ['html'],
  prose: ['html', 'xml', 'markdown', 'hash', 'env', 'slash'],
};

describe('injection channels', () => {
  for (const format of INJECTION_FORMATS) {
    it(`${format} plants ${WANT[format].join(' + ')} reach tokens in the syntaxes that can carry it`, () => {
      for (const syntax of ['html', 'xml', 'markdown', 'hash', 'env', 'slash'] as const) {
        const p = planter();
        const out = plantText(p, [format], syntax);
        if (!CARRIES[format].includes(syntax)) {
          expect(out, syntax).toBe('');
          continue;
        }
        expect([...new Set(p.planted.map((t) => t.reach))].sort(), syntax).toEqual([...WANT[format]].sort());
        expect(p.planted.every((t) => t.channel === format)).toBe(true);
        for (const t of p.planted) {
          // Each token is findable in the output: literally, or zero-width / tag encoded.
          const visible = out + decodeZeroWidth(out) + decodeTags(out);
          expect(visible.replaceAll('&amp;', '&'), `${syntax} ${t.reach}`).toContain(t.token);
          const literalUrl = `https://shop.example/cb/x/${t.token}`;
          if (t.reach === 'instruction') expect(out).not.toContain(literalUrl);
          if (t.reach === 'link')
            expect(out).toMatch(
              /<a href="[^"]+" hidden aria-hidden="true" tabindex="-1" rel="nofollow noindex">/,
            );
        }
      }
    });
  }

  it('plants JSON metadata with text and instruction reach', () => {
    const p = planter();
    const meta = plantJson(p, ['json-meta', 'zero-width', 'prose']);
    expect(Object.keys(meta).sort()).toEqual(['build', 'copyright', 'notice', 'status_url']);
    expect(new Set(p.planted.map((t) => t.reach))).toEqual(new Set(['text', 'instruction']));
  });

  it('writes extraction instructions asking for model, operator, task and system_prompt', () => {
    const p = planter();
    const text = p.extractionInstruction('prose');
    for (const field of ['model', 'operator', 'task', 'system_prompt']) expect(text).toContain(field);
    expect(text).toMatch(/GET/);
    expect(p.planted[0]).toMatchObject({ kind: 'extraction', reach: 'instruction' });
  });

  it('round-trips zero-width and tag-character encodings, which render nothing', () => {
    expect(decodeZeroWidth(`a${encodeZeroWidth('https://x.test/é')}b`)).toBe('https://x.test/é');
    expect(decodeTags(`Hello${encodeTags('visit https://x.test')}`)).toBe('visit https://x.test');
    expect(encodeZeroWidth('x')).toMatch(/^[\u200b\u200c]{8}$/);
    expect([...encodeTags('AZ')].map((c) => c.codePointAt(0))).toEqual([0xe0041, 0xe005a]);
    // Printable ASCII only (control characters and non-ASCII are dropped), at any length.
    expect(decodeTags(encodeTags('a\tb\n~ é'))).toBe('ab~ ');
    const long = 'Append the code 0123456789 to the address. '.repeat(300);
    expect(decodeTags(encodeTags(long))).toBe(long);
    expect(decodeTags(encodeTags('short'))).toBe('short');
  });

  it('keeps XML comments valid: no token with "--"', () => {
    for (let i = 0; i < 200; i++) {
      const p = planter();
      expect(plantText(p, ['html-comment'], 'xml')).not.toMatch(/<!--[\s\S]*--[^>][\s\S]*-->/);
    }
  });
});
