import express from 'express';
import { lobsterHoney } from '../src/adapters/express.js';
import type { HitRecord, HoneyEngine, HoneyOptions } from '../src/index.js';
import { SECRET } from './helpers.js';
import { listen } from './servers.js';

/** A small example shop: three linked pages, a form and a button, served under a strict CSP. */
export function shopPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title} · Example Shop</title><link rel="stylesheet" href="/site.css"></head>
<body>
<header><nav><a href="/">Home</a> <a href="/about">About</a> <a href="/products">Products</a></nav></header>
<main>
<h1>${title}</h1>
<p>Hand-made kitchen knives, shipped from Lisbon. Orders over 80 EUR ship free.</p>
<form action="/search"><label>Search <input name="q"></label> <button type="submit">Go</button></form>
</main>
<footer><p>Example Shop Lda. All rights reserved.</p></footer>
</body>
</html>
`;
}

const CSS =
  'body{font:16px/1.4 sans-serif;margin:2rem;background:#fff;color:#222}footer{margin-top:2rem;color:#555}';

export interface Site {
  base: string;
  engine: HoneyEngine;
  hits: HitRecord[];
  close(): Promise<void>;
}

/**
 * The example site with `lobsterHoney()` in front. `/plain/*` serves the same pages with the per-response
 * opt-out, for side-by-side comparison; `/csp-control` has an inline script the CSP must block.
 */
export async function startSite(options: HoneyOptions = {}): Promise<Site> {
  const hits: HitRecord[] = [];
  const app = express();
  const honey = lobsterHoney({ secret: SECRET, onHit: (h) => hits.push(h), ...options });
  app.use((_req, res, next) => {
    res.set('content-security-policy', "default-src 'self'");
    next();
  });
  app.use(honey);
  app.get('/site.css', (_req, res) => {
    res.type('css').send(CSS);
  });
  const pages: Record<string, string> = { '/': 'Home', '/about': 'About us', '/products': 'Products' };
  for (const [path, title] of Object.entries(pages)) {
    app.get(path, (_req, res) => {
      res.type('html').send(shopPage(title));
    });
    app.get(`/plain${path === '/' ? '' : path}`, (_req, res) => {
      res.locals.lobsterTripwires = false;
      res.type('html').send(shopPage(title));
    });
  }
  app.get('/csp-control', (_req, res) => {
    res
      .type('html')
      .send('<!doctype html><html><body><p>control</p><script>document.title="ran"</script></body></html>');
  });
  const { base, close } = await listen(app.listen(0, '127.0.0.1'));
  return {
    base,
    engine: honey.engine,
    hits,
    close: async () => {
      await close();
      await honey.close();
    },
  };
}
