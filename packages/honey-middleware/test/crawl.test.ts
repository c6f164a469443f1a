import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeTags, decodeZeroWidth } from '../src/embed/zero-width.js';
import { literalCallbacks, tokenStrings } from './helpers.js';
import { type Site, startSite } from './site.js';

const WGET = '/usr/bin/wget';
const present = existsSync(WGET);
if (!present) console.warn(`crawler test skipped: ${WGET} not found (apt-get install -y wget)`);

function wget(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(WGET, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 || code === 8 ? resolve(code) : reject(new Error(`wget ${code}: ${err}`)),
    );
  });
}

describe('page tripwires against real readers', () => {
  let site: Site | undefined;
  afterEach(async () => {
    await site?.close();
    site = undefined;
  });

  it.skipIf(!present)(
    'a wget -r crawl follows the hidden link and is reported with link reach only',
    async () => {
      site = await startSite();
      const dir = mkdtempSync(join(tmpdir(), 'lobster-wget-'));
      try {
        // Debian's wget, robots.txt honoured (its default), three levels deep.
        await wget(['-r', '-l', '3', '-nv', '-P', dir, '--tries=1', '--timeout=10', `${site.base}/`]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const crawled = site.hits.filter((h) => h.user_agent?.startsWith('Wget'));
      const callbacks = crawled.filter((h) => h.type === 'callback');
      // One hidden link on each of the three pages it reached.
      expect(callbacks.length).toBe(3);
      for (const h of callbacks) {
        expect(h.token).toMatchObject({ reach: 'link', channel: 'css-hidden', trap: 'tripwire:page' });
        expect(h.token?.session).toBe(h.fingerprint);
      }
      expect(
        crawled.filter((h) => h.type === 'extraction' || h.token?.reach !== 'link').map((h) => h.path),
      ).toEqual(['/robots.txt']);
    },
  );

  it('a raw-HTML reader finds the text payloads, and an obeying reader the instructions', async () => {
    site = await startSite();
    const html = await (
      await fetch(`${site.base}/about`, { headers: { 'user-agent': 'raw-reader/1.0' } })
    ).text();
    const prefix = site.engine.callbackPrefix;
    const base = `${site.base}${prefix}/`;
    // text reach: literal URLs in the comment and the ignored script, and one in zero-width characters.
    const literal = literalCallbacks(html, prefix).filter((u) => !html.includes(`href="${u}"`));
    const zw = literalCallbacks(decodeZeroWidth(html), prefix);
    expect(literal.length).toBe(2);
    expect(zw.length).toBe(1);
    // instruction reach: "append the code X to <base>" — in prose and in tag characters.
    const said = `${html}\n${decodeTags(html)}`;
    const codes = tokenStrings(said).filter((t) => {
      const c = site?.engine.verifyToken(t);
      return c?.ok && c.claims.reach === 'instruction';
    });
    expect(codes.length).toBe(3); // the prose callback, the extraction request, the tag-character callback
    for (const url of [...literal, ...zw, ...codes.map((c) => base + c)]) {
      expect((await fetch(url, { headers: { 'user-agent': 'agent/2.0' } })).status).toBe(200);
    }
    const seen = site.hits
      .filter((h) => h.type === 'callback')
      .map((h) => `${h.token?.reach}:${h.token?.channel}`);
    expect(seen.slice(0, 3).sort()).toEqual(['text:html-comment', 'text:script-ignore', 'text:zero-width']);
    expect(new Set(seen.slice(3))).toEqual(new Set(['instruction:prose', 'instruction:zero-width']));
    expect(site.hits.filter((h) => h.type === 'extraction').length).toBe(1);
    const extraction = /followed by the code ([A-Za-z0-9_-]{36})|with ([A-Za-z0-9_-]{36}) appended/.exec(
      html,
    );
    const url = base + (extraction?.[1] ?? extraction?.[2] ?? '');
    const res = await fetch(`${url}?model=gpt-test&operator=acme`, {
      headers: { 'user-agent': 'agent/2.0' },
    });
    expect(await res.json()).toMatchObject({ status: 'registered' });
    expect(site.hits.at(-1)).toMatchObject({ type: 'extraction', extraction: { model: 'gpt-test' } });
  });
});
