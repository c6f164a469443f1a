/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTags } from '../src/embed/zero-width.js';
import { type Site, startSite } from './site.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const present = existsSync(CHROMIUM);
if (!present) console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

/** Words that only the tripwire block contains; none may reach a person. */
const SECRET_WORDS =
  /Staff directory|verification code|Append the code|AI agents|register before|fallback API|Legacy status|debug console|health probe/;

describe.skipIf(!present)('page tripwires in a real browser (Debian chromium)', () => {
  let browser: Browser;
  let site: Site;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    site = await startSite();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  /** Opens a page, recording CSP violations (DOM events and console) from the very start. */
  async function open(path: string): Promise<{ page: Page; violations: string[] }> {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(`console: ${m.text()}`);
    });
    await page.exposeFunction('__lobsterViolation', (v: string) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __lobsterViolation(v: string): void }).__lobsterViolation(
          `${e.violatedDirective} ${e.blockedURI}`,
        );
      });
    });
    const res = await page.goto(site.base + path, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    return { page, violations };
  }

  it('serves the block in the HTML, yet it has no box and no text a person could see', async () => {
    const { page } = await open('/');
    const html = await page.content();
    expect(html).toContain('data-nosnippet');
    const info = await page.evaluate(() => {
      const block = document.querySelector('[data-nosnippet]') as HTMLElement;
      const all = [block, ...Array.from(block.querySelectorAll('*'))] as HTMLElement[];
      return {
        hidden: block.hidden,
        display: getComputedStyle(block).display,
        boxes: all.map((el) => {
          const r = el.getBoundingClientRect();
          return r.width + r.height + el.getClientRects().length;
        }),
        // biome-ignore lint/performance/useDomNodeTextContent: what a person sees is exactly what is under test
        rendered: document.body.innerText,
      };
    });
    expect(info.hidden).toBe(true);
    expect(info.display).toBe('none');
    expect(info.boxes.every((n) => n === 0)).toBe(true);
    expect(info.rendered).not.toMatch(SECRET_WORDS);
    expect(info.rendered).not.toContain(site.engine.callbackPrefix);
    // The tag-character instruction rides in the visible text: it survives innerText, invisibly.
    expect(decodeTags(info.rendered)).toMatch(/verification code|Append the code/);
    await page.close();
  });

  it('looks pixel for pixel the same as the page without a tripwire', async () => {
    const a = await open('/');
    const b = await open('/plain');
    const [withTripwire, without] = [
      await a.page.screenshot({ fullPage: true }),
      await b.page.screenshot({ fullPage: true }),
    ];
    expect(withTripwire.equals(without)).toBe(true);
    await a.page.close();
    await b.page.close();
  });

  it('is never reached by Tab', async () => {
    const { page } = await open('/');
    const visited: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      visited.push(
        await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return 'body';
          return `${el.tagName}${el.closest('[data-nosnippet]') ? ' IN-BLOCK' : ''} ${el.textContent ?? ''}`;
        }),
      );
    }
    expect(visited.some((v) => v.startsWith('A Home'))).toBe(true); // Tab does move through the page
    expect(visited.filter((v) => v.includes('IN-BLOCK'))).toEqual([]);
    await page.close();
  });

  it('is absent from the accessibility tree', async () => {
    const { page } = await open('/');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Accessibility.enable');
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: { ignored: boolean; name?: { value?: unknown }; role?: { value?: unknown } }[];
    };
    const exposed = nodes.filter((n) => !n.ignored);
    const names = exposed.map((n) => String(n.name?.value ?? ''));
    expect(names.some((n) => n.includes('Hand-made kitchen knives'))).toBe(true);
    expect(names.filter((n) => SECRET_WORDS.test(n) || n.includes(site.engine.callbackPrefix))).toEqual([]);
    expect(exposed.filter((n) => n.role?.value === 'link').length).toBe(3); // the three nav links only
    // The tag-character instruction in the visible text is still there for a reader of the tree.
    expect(decodeTags(names.join('\n'))).toMatch(/verification code|Append the code/);
    await page.close();
  });

  it("reports no Content-Security-Policy violation under default-src 'self'", async () => {
    // The listener works: an inline script on the control page is blocked and reported.
    const control = await open('/csp-control');
    await control.page.waitForTimeout(100);
    expect(control.violations.length).toBeGreaterThan(0);
    await control.page.close();
    for (const path of ['/', '/about', '/products']) {
      const { page, violations } = await open(path);
      await page.waitForTimeout(100);
      expect(await page.content()).toContain('<script type="ignore">');
      expect(violations, path).toEqual([]);
      await page.close();
    }
  });
});
