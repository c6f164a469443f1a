import { describe, expect, it } from 'vitest';
import { findBodyClose, insertedLength, insertWhole, StreamInserter } from '../src/tripwires/inserter.js';

const ins = { block: Buffer.from('[B]'), tags: Buffer.from('{T}') };

function streamed(parts: string[], scanLimit = 1 << 20): string {
  const s = new StreamInserter(ins, scanLimit);
  return Buffer.concat([...parts.map((p) => s.push(Buffer.from(p))), s.end()]).toString();
}

describe('the </body> inserter', () => {
  it('finds </body> in any case, with whitespace before >, and not in look-alikes', () => {
    expect(findBodyClose(Buffer.from('<p></p></BoDy >'))).toBe(7);
    expect(findBodyClose(Buffer.from('</bodyx></body-x></body>'))).toBe(17);
    expect(findBodyClose(Buffer.from('<body>'))).toBe(-1);
  });

  it('puts the tag characters after the last visible text and the block before </body>', () => {
    const out = insertWhole(Buffer.from('<div><p>Hi</p></div>\n</body></html>'), ins).toString();
    expect(out).toBe('<div><p>Hi{T}</p></div>\n[B]</body></html>');
    expect(insertWhole(Buffer.from('<br>'), ins).toString()).toBe('<br>{T}[B]');
  });

  it('gives the same bytes for every way of cutting a stream, holding back at most 6 bytes', () => {
    const page = '<h1>T</h1><p>x</p></BODY></html>';
    const whole = insertWhole(Buffer.from(page), ins).toString();
    for (let i = 1; i < page.length; i++) {
      for (let j = i; j < page.length; j++) {
        const parts = [page.slice(0, i), page.slice(i, j), page.slice(j)];
        const out = streamed(parts);
        expect(out.replace('{T}', '')).toBe(whole.replace('{T}', ''));
        expect(Buffer.byteLength(out)).toBe(page.length + insertedLength(ins));
      }
    }
    const s = new StreamInserter(ins, 1 << 20);
    expect(s.push(Buffer.from('<p>abc</bo')).toString()).toBe('<p>abc');
  });

  it('keeps multi-byte characters intact across chunks, and stops looking past the size cap', () => {
    const page = Buffer.from('<p>café €</p></body>');
    const s = new StreamInserter(ins, 1 << 20);
    const out = Buffer.concat([s.push(page.subarray(0, 7)), s.push(page.subarray(7)), s.end()]);
    expect(out.toString()).toBe('<p>café €{T}</p>[B]</body>');
    expect(streamed(['<p>aaaa</p>', 'bbbb', '</body>'], 8)).toBe('<p>aaaa</p>bbbb</body>');
  });
});
