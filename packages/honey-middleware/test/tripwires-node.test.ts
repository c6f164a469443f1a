import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { installTripwires } from '../src/tripwires/response.js';

// The response wrappers on a plain Node server, with a fixed block: how a body is handed to `end` must
// not decide whether a page gets its tripwire.
const BLOCK = '<div hidden>TRIPWIRE</div>';
const plan = {
  maxBytes: 64 * 1024,
  mint: () => ({ block: Buffer.from(BLOCK), tags: Buffer.alloc(0) }),
};
const PAGE = '<html><body><p>Hello</p></body></html>';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(
  answer: (res: ServerResponse) => void,
): Promise<{ body: string; length: string | null }> {
  server = createServer((_req, res) => {
    installTripwires(res, plan, () => false, null);
    answer(res);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return { body: await res.text(), length: res.headers.get('content-length') };
}

const html = (res: ServerResponse) => res.setHeader('content-type', 'text/html; charset=utf-8');

describe('tripwires on a whole body given to end()', () => {
  for (const encoding of ['base64', 'hex', 'latin1'] as const) {
    it(`plants into a page sent as a ${encoding} string`, async () => {
      const { body, length } = await serve((res) => {
        html(res);
        res.end(Buffer.from(PAGE).toString(encoding), encoding);
      });
      expect(body).toBe(PAGE.replace('</body>', `${BLOCK}</body>`));
      expect(length === null || Number(length) === Buffer.byteLength(body)).toBe(true);
    });
  }

  it('plants into a small page sent as a Buffer, with its Content-Length fixed', async () => {
    const { body, length } = await serve((res) => {
      html(res);
      res.setHeader('content-length', Buffer.byteLength(PAGE));
      res.end(Buffer.from(PAGE));
    });
    expect(body).toBe(PAGE.replace('</body>', `${BLOCK}</body>`));
    expect(Number(length)).toBe(Buffer.byteLength(body));
  });

  it('passes a small "HTML" body without a tag untouched, as a string or a Buffer', async () => {
    for (const send of [
      (res: ServerResponse) => res.end('just text'),
      (res: ServerResponse) => res.end(Buffer.from('just text')),
    ]) {
      const { body } = await serve((res) => {
        html(res);
        send(res);
      });
      expect(body).toBe('just text');
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      server = undefined;
    }
  });
});
