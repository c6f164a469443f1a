import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

/** The page every tripwire route serves; `</BODY>` in capitals, since the match ignores case. */
export const PAGE =
  '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Shop</title></head>\n<body>\n<h1>Shop</h1>\n<p>Welcome to the shop. Prices include VAT.</p>\n</BODY>\n</html>\n';
export const PAGE_NO_BODY = '<h2>Fragment</h2><p>No body element here.</p>';
export const GZIPPED = gzipSync(Buffer.from(PAGE));
export const BIG = `<!doctype html><html><body><p>${'x'.repeat(100_000)}</p></body></html>`;

/** Send styles each adapter's app serves at `/style/<name>`, every one answering `PAGE` as text/html. */
export type SendStyle = 'string' | 'buffer' | 'render' | 'write' | 'stream';

/** Pass-through routes at `/pass/<name>`; `expected` is exactly what the app sent. */
export const PASS: Record<string, { status: number; body: Buffer; gzip?: boolean }> = {
  json: { status: 200, body: Buffer.from('{"html":"</body>"}') },
  text: { status: 200, body: Buffer.from(PAGE) },
  gzip: { status: 200, body: GZIPPED, gzip: true },
  notransform: { status: 200, body: Buffer.from(PAGE) },
  notfound: { status: 404, body: Buffer.from(PAGE) },
  error: { status: 500, body: Buffer.from(PAGE) },
  redirect: { status: 302, body: Buffer.from(PAGE) },
  latin1: { status: 200, body: Buffer.from('<html><body><p>caf\xe9</p></body></html>', 'latin1') },
  big: { status: 200, body: Buffer.from(BIG) },
  optout: { status: 200, body: Buffer.from(PAGE) },
  excluded: { status: 200, body: Buffer.from(PAGE) },
};

/** Headers each pass-through route sets besides its status. */
export function passHeaders(name: string): Record<string, string> {
  const html = { 'content-type': 'text/html; charset=utf-8' };
  switch (name) {
    case 'json':
      return { 'content-type': 'application/json' };
    case 'text':
      return { 'content-type': 'text/plain; charset=utf-8' };
    case 'gzip':
      return { ...html, 'content-encoding': 'gzip' };
    case 'notransform':
      return { ...html, 'cache-control': 'public, no-transform' };
    case 'redirect':
      return { ...html, location: '/' };
    case 'latin1':
      return { 'content-type': 'text/html; charset=iso-8859-1' };
    default:
      return html;
  }
}

const gates = new Map<string, () => void>();

/** Lets a gated stream (below) go on past its first chunk. */
export function release(id: string): void {
  gates.get(id)?.();
}

/**
 * The page as a stream: the first chunk, then a wait until the test has *received* that chunk (so a
 * middleware that buffered the whole body would hang the test), then the rest with `</BODY>` split
 * across two chunks, so the look-behind is exercised.
 */
export function pageStream(id = ''): Readable {
  const cut = PAGE.indexOf('</BODY>') + 4;
  const first = PAGE.slice(0, 39);
  return Readable.from(
    (async function* () {
      yield Buffer.from(first);
      if (id) await new Promise<void>((r) => gates.set(id, r));
      yield Buffer.from(PAGE.slice(39, cut));
      await new Promise((r) => setTimeout(r, 2));
      yield Buffer.from(PAGE.slice(cut));
    })(),
  );
}
