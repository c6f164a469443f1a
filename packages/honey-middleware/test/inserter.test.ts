import { describe, expect, it } from 'vitest';
import {
  findBodyClose,
  findLastBodyClose,
  insertedLength,
  insertWhole as insertParts,
  StreamInserter,
} from '../src/tripwires/inserter.js';

const ins = { block: Buffer.from('[B]'), tags: Buffer.from('{T}') };
const join = (parts: (Buffer | string)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
const insertWhole = (body: Buffer, i: typeof ins): Buffer => join(insertParts(body, i));

function streamed(parts: string[], scanLimit = 1 << 20): string {
  const s = new StreamInserter(ins, scanLimit);
  return join([...parts.flatMap((p) => s.push(Buffer.from(p))), ...s.end()]).toString();
}

describe('the </body> inserter', () => {
  it('finds </body> in any case, with whitespace before >, and not in look-alikes', () => {
    expect(findBodyClose(Buffer.from('<p></p></BoDy >'))).toBe(7);
    expect(findBodyClose(Buffer.from('</bodyx></body-x></body>'))).toBe(17);
    expect(findBodyClose(Buffer.from('<body>'))).toBe(-1);
    expect(findLastBodyClose(Buffer.from('</body></BODY>\n</body></body-x>'))).toBe(15);
    expect(findLastBodyClose(Buffer.from('<p>x</Body >y</Body>'))).toBe(13);
    expect(findLastBodyClose(Buffer.from('</bodyx> <p>'))).toBe(-1);
  });

  it('inserts into a string body exactly as into its UTF-8 bytes, without converting it', () => {
    for (const page of [
      '<p>café €</p>\n</BODY></html>',
      '<p>😀 ok</p></body >',
      'no tags at all €',
      '<i>x</i>',
    ]) {
      const parts = insertParts(page, ins);
      expect(parts.filter((p) => typeof p === 'string').join('')).toBe(page);
      expect(join(parts)).toEqual(insertWhole(Buffer.from(page), ins));
    }
  });

  it('takes a whole declared body written at once as a whole body', () => {
    const page = '<p>a</p></body><p>b</p></body>';
    const s = new StreamInserter(ins, 1 << 20, Buffer.byteLength(page));
    expect(join(s.push(page)).toString()).toBe('<p>a</p></body><p>b{T}</p>[B]</body>');
    expect(s.end()).toEqual([]);
  });

  it('inserts into a whole page before its last </body>, which a script or comment may precede', () => {
    const page = '<script>const s = "</body>";</script><p>Hi</p></body></html>';
    expect(insertWhole(Buffer.from(page), ins).toString()).toBe(
      '<script>const s = "</body>";</script><p>Hi{T}</p>[B]</body></html>',
    );
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
    expect(join(s.push(Buffer.from('<p>abc</bo'))).toString()).toBe('<p>abc');
  });

  it('keeps multi-byte characters intact across chunks, and stops looking past the size cap', () => {
    const page = Buffer.from('<p>café €</p></body>');
    const s = new StreamInserter(ins, 1 << 20);
    const out = join([...s.push(page.subarray(0, 7)), ...s.push(page.subarray(7)), ...s.end()]);
    expect(out.toString()).toBe('<p>café €{T}</p>[B]</body>');
    expect(streamed(['<p>aaaa</p>', 'bbbb', '</body>'], 8)).toBe('<p>aaaa</p>bbbb</body>');
  });
});
