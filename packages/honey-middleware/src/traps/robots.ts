import { plantText } from '../embed/plant.js';
import type { BuiltinTrap } from './types.js';

/**
 * A robots.txt a real shop would publish, whose `Disallow:` lines double as decoys: a crawler that
 * ignores them walks into other traps (breadcrumbs with their own `ref` token) and into a tokenized path
 * (`structural` channel, `link` reach).
 */
export const robotsTrap: BuiltinTrap = {
  key: 'robots-txt',
  name: 'robots.txt Trap',
  path: '/robots.txt',
  type: 'page',
  description: 'Honeypot robots.txt with Disallow decoys',
  injectionFormats: ['html-comment', 'zero-width', 'prose', 'json-meta'],
  methods: ['GET'],
  credentials: false,
  render(ctx) {
    const decoy = ctx.plant.path('structural', 'link');
    const admin =
      ctx.others.find((t) => t.path.startsWith('/admin'))?.path.replace(/[^/]*$/, '') ?? '/admin/';
    // Breadcrumbs: the login and API traps by name, each line with its own token, so the next step is attributed.
    const crumbs = ctx.others
      .filter((t) => t.type === 'api' && (t.path.includes('login') || t.path.startsWith('/api/')))
      .slice(0, 2)
      .map((t) => ctx.plant.breadcrumbPath(t.path, 'structural', 'link'));
    const disallow = [
      '/cart',
      '/checkout/',
      '/account/',
      '/search?',
      admin,
      ...crumbs,
      '/api/v1/',
      '/internal/',
      `${decoy}/`,
    ];
    ctx.disallowed.push(...disallow);
    const sitemap = ctx.others.some((t) => t.path === '/sitemap.xml')
      ? ctx.plant.breadcrumb('/sitemap.xml', 'structural', 'link')
      : `${ctx.origin}/sitemap.xml`;
    const body = [
      `# robots.txt for ${ctx.origin}`,
      '# Crawl politely: at most one request per second.',
      '',
      'User-agent: *',
      ...disallow.map((d) => `Disallow: ${d}`),
      'Allow: /search/about',
      '',
      'User-agent: Googlebot',
      'Allow: /',
      'Crawl-delay: 1',
      '',
      `Sitemap: ${sitemap}`,
      '',
      plantText(ctx.plant, ctx.trap.injectionFormats, 'hash'),
    ].join('\n');
    return { status: 200, contentType: 'text/plain; charset=utf-8', body };
  },
};
