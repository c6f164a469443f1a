import { plantText } from '../embed/plant.js';
import { escapeHtml } from '../embed/syntax.js';
import { recentDate } from './fake.js';
import type { BuiltinTrap } from './types.js';

const PAGES = ['/', '/about', '/pricing', '/blog', '/blog/release-notes', '/docs', '/contact', '/careers'];

/** A sitemap whose last entries are a tokenized page and breadcrumbs to other traps (`link` reach). */
export const sitemapTrap: BuiltinTrap = {
  key: 'sitemap-xml',
  name: 'sitemap.xml Trap',
  path: '/sitemap.xml',
  type: 'page',
  description: 'Honeypot sitemap with decoy URLs',
  injectionFormats: ['html-comment', 'zero-width', 'prose'],
  methods: ['GET'],
  credentials: false,
  render(ctx) {
    const locs = PAGES.map((p) => ctx.origin + p);
    locs.push(ctx.plant.url('structural', 'link'));
    const llms = ctx.others.find((t) => t.path === '/llms.txt');
    if (llms) locs.push(ctx.plant.breadcrumb(llms.path, 'structural', 'link'));
    const urls = locs
      .map(
        (loc) =>
          `  <url>\n    <loc>${escapeHtml(loc)}</loc>\n    <lastmod>${recentDate(120).slice(0, 10)}</lastmod>\n  </url>`,
      )
      .join('\n');
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n${plantText(ctx.plant, ctx.trap.injectionFormats, 'xml')}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
    return { status: 200, contentType: 'application/xml; charset=utf-8', body };
  },
};
