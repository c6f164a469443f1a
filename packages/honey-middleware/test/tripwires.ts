import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeTags } from '../src/embed/zero-width.js';
import type { HitRecord, HoneyOptions } from '../src/index.js';
import type { Harness } from './conformance.js';
import { literalCallbacks, SECRET, tokenStrings } from './helpers.js';
import { PAGE, PAGE_NO_BODY, PASS, release, type SendStyle } from './pages.js';

/**
 * Builds an app with `lobsterHoney(options)` and these routes: `/style/<style>` for each of `styles`
 * answering `PAGE` as text/html that way (`/style/stream?gate=<id>` waits for `release(id)` after its
 * first chunk); `/fragment` answering `PAGE_NO_BODY` as text/html; `/pass/<name>` for every entry of
 * `PASS` with `passHeaders(name)` (`optout` sets the framework's opt-out; `excluded` is excluded by the
 * suite's options; `gzip` sends `GZIPPED` as is).
 */
export type MakeTripwireServer = (options: HoneyOptions) => Promise<Harness>;

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The first body bytes, read before the rest was requested (for gated streams). */
  first?: Buffer | undefined;
}

const UA = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Tripwire/1.0', accept: 'text/html' };

/** A raw HTTP request: no decompression, bytes exactly as sent. `onFirst` runs on the first body chunk. */
export function raw(url: string, method = 'GET', onFirst?: (chunk: Buffer) => void): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: UA, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let first: Buffer | undefined;
      res.on('data', (c: Buffer) => {
        if (!first) {
          first = c;
          onFirst?.(c);
        }
        chunks.push(c);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), first }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const BLOCK = /\n<div hidden aria-hidden="true" data-nosnippet>\n[\s\S]*?<\/div>\n/;
const TAGS = /[\u{E0000}-\u{E007F}]+/gu;

/** The page with the tripwire taken out again: must equal what the app sent. */
export function strip(html: string): string {
  return html.replace(BLOCK, '').replace(TAGS, '');
}

export function tripwireConformance(
  name: string,
  styles: readonly SendStyle[],
  make: MakeTripwireServer,
): void {
  describe(`${name} page tripwires`, () => {
    let harness: Harness | undefined;
    let hits: HitRecord[] = [];
    const start = async (extra: HoneyOptions = {}): Promise<Harness> => {
      hits = [];
      harness = await make({
        secret: SECRET,
        onHit: (h) => hits.push(h),
        tripwires: { exclude: ['/pass/excluded'], maxBytes: 64 * 1024 },
        ...extra,
      });
      return harness;
    };
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    for (const style of styles) {
      it(`inserts a tripwire of all three reaches before </body> (${style})`, async () => {
        const { base, engine } = await start();
        const gate = `${name}-${style}-${Math.random()}`;
        const url =
          style === 'stream'
            ? `${base}/style/stream?gate=${encodeURIComponent(gate)}`
            : `${base}/style/${style}`;
        // A gated stream only goes on once its first chunk has reached us: buffering would hang here.
        const res = await raw(url, 'GET', () => release(gate));
        const html = res.body.toString('utf8');
        expect(res.status).toBe(200);
        expect(strip(html)).toBe(PAGE);
        const block = BLOCK.exec(html)?.[0] ?? '';
        expect(html.indexOf(block) + block.length).toBe(html.indexOf('</BODY>'));
        if (res.headers['content-length'] !== undefined)
          expect(Number(res.headers['content-length'])).toBe(res.body.length);
        const etag = res.headers.etag as string | undefined;
        if (etag) expect(etag.startsWith('W/')).toBe(true);
        if (style === 'stream') expect(res.first?.toString()).toBe(PAGE.slice(0, 39));
        else expect(html).toMatch(/Prices include VAT\.[\u{E0000}-\u{E007F}]+<\/p>/u);

        // The block: hidden, no inline script or style, nothing focusable, links nofollow.
        expect(block).not.toMatch(/\sstyle=|<script(?![^>]*type="ignore")|on[a-z]+=/i);
        expect(block).toMatch(
          /<a href="[^"]+" hidden aria-hidden="true" tabindex="-1" rel="nofollow noindex">/,
        );
        const reaches = tokenStrings(html)
          .map((t) => engine.verifyToken(t))
          .flatMap((c) => (c.ok ? [c.claims] : []));
        expect(new Set(reaches.map((c) => c.reach))).toEqual(new Set(['link', 'text', 'instruction']));
        expect(reaches.some((c) => c.kind === 'extraction')).toBe(true);
        expect(decodeTags(html)).toMatch(/verification code|Append the code/);
        expect(hits).toEqual([]); // planting is not a hit
      });
    }

    it('appends the block at the end of HTML without </body>, fresh tokens per response', async () => {
      const { base, engine } = await start();
      const one = (await raw(`${base}/fragment`)).body.toString();
      const two = (await raw(`${base}/fragment`)).body.toString();
      expect(strip(one)).toBe(PAGE_NO_BODY);
      expect(one.startsWith(PAGE_NO_BODY.slice(0, -4))).toBe(true);
      expect(one).toMatch(/<\/div>\n$/);
      const shared = tokenStrings(one).filter((t) => tokenStrings(two).includes(t));
      expect(shared).toEqual([]);
      expect(literalCallbacks(one, engine.callbackPrefix).length).toBeGreaterThanOrEqual(2);
    });

    it('passes everything else through byte for byte', async () => {
      const { base } = await start();
      for (const [route, want] of Object.entries(PASS)) {
        const res = await raw(`${base}/pass/${route}`);
        expect(res.status, route).toBe(want.status);
        expect(res.body.equals(want.body), route).toBe(true);
        if (res.headers['content-length'] !== undefined)
          expect(Number(res.headers['content-length']), route).toBe(want.body.length);
      }
      for (const style of styles) {
        const head = await raw(`${base}/style/${style === 'stream' ? 'string' : style}`, 'HEAD');
        expect(head.status).toBe(200);
        expect(head.body.length).toBe(0);
        if (head.headers['content-length'] !== undefined)
          expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(PAGE));
      }
    });

    it('follows the page tokens back to the visitor who was served the page', async () => {
      const { base } = await start();
      const html = (await raw(`${base}/style/string`)).body.toString();
      const link = /<a href="([^"]+)" hidden/.exec(html)![1]!.replaceAll('&amp;', '&');
      expect((await raw(link.replace(/^https?:\/\/[^/]+/, base))).status).toBe(200);
      expect(hits.at(-1)).toMatchObject({
        type: 'callback',
        token: { reach: 'link', channel: 'css-hidden', trap: 'tripwire:page' },
      });
    });

    it('can be turned off, sampled away, or limited to some paths', async () => {
      for (const tripwires of [false, { sampleRate: 0 }, { include: ['/only/*'] }, { enabled: false }]) {
        const { base } = await start({ tripwires });
        expect((await raw(`${base}/style/string`)).body.toString()).toBe(PAGE);
        await harness?.close();
        harness = undefined;
      }
      const { base } = await start({ tripwires: { include: [/^\/style\//] } });
      expect((await raw(`${base}/style/string`)).body.toString()).not.toBe(PAGE);
      expect((await raw(`${base}/fragment`)).body.toString()).toBe(PAGE_NO_BODY);
    });

    it('never touches trap responses or callback pages', async () => {
      const { base } = await start();
      const login = (await raw(`${base}/admin/login`)).body.toString();
      expect(login).toMatch(/<form/);
      expect(login).not.toContain('data-nosnippet');
    });
  });
}
