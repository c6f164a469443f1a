import type { Planter } from './planter.js';
import type { TextSyntax } from './syntax.js';
import { escapeHtml } from './syntax.js';

/**
 * A hidden anchor: `link` reach, followed by crawlers that take every `href`. Hidden with the `hidden`
 * attribute (no inline style, so a strict CSP is unaffected), unfocusable, out of the accessibility tree.
 * Only HTML (and Markdown, which passes HTML through) can carry it.
 */
export function cssHidden(p: Planter, syntax: TextSyntax): string | null {
  if (syntax !== 'html' && syntax !== 'markdown') return null;
  const url = escapeHtml(p.url('css-hidden', 'link'));
  return `<a href="${url}" hidden aria-hidden="true" tabindex="-1" rel="nofollow noindex">Staff directory</a>\n`;
}
