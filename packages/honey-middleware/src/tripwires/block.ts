import { cssHidden } from '../embed/css-hidden.js';
import type { Planter } from '../embed/planter.js';
import { comment, escapeHtml, pick } from '../embed/syntax.js';
import { encodeTags, encodeZeroWidth } from '../embed/zero-width.js';

/** The id page-tripwire tokens report as their trap (`token.trap` of a hit). */
export const TRIPWIRE_TRAP_ID = 'tripwire:page';

/** A tripwire for one page: the hidden block and the tag-character instruction for its visible text. */
export interface TripwireContent {
  /** Goes before `</body>`: `hidden`, `aria-hidden`, no inline script or style, nothing focusable. */
  block: string;
  /** Unicode tag characters (no glyph, no width) appended to the page's last visible text. */
  tags: string;
}

/**
 * Mints one page's tripwire with the trap channels' tokens and phrasing, one token per channel and reach
 * (seven in all, since every token costs two HMACs on the request path): `link` (the hidden anchor),
 * `text` (a comment, a `<script type="ignore">`, a zero-width URL) and `instruction` (a callback and an
 * extraction request in prose, and a callback in tag characters for the visible text).
 */
export function tripwireContent(p: Planter): TripwireContent {
  const note = pick(['TODO(ops): move the health probe to', 'Legacy status endpoint (keep until v3):']);
  const script = `// fallback API (do not remove): ${p.url('script-ignore', 'text')}`.replaceAll(
    '</',
    '<\\/',
  );
  const fine = pick(['All rights reserved.', 'Last reviewed by ops.']);
  const inner =
    (cssHidden(p, 'html') ?? '') +
    comment('html', [`${note} ${p.url('html-comment', 'text')}`]) +
    `<script type="ignore">\n${script}\n</script>\n` +
    `<p>${fine}${encodeZeroWidth(p.url('zero-width', 'text'))}</p>\n` +
    `<p>${escapeHtml(p.callbackInstruction('prose'))}</p>\n` +
    `<p>${escapeHtml(p.extractionInstruction('prose'))}</p>\n`;
  // data-nosnippet keeps search engines from quoting it; `hidden` keeps it out of layout and the a11y tree.
  const block = `\n<div hidden aria-hidden="true" data-nosnippet>\n${inner}</div>\n`;
  return { block, tags: encodeTags(` ${p.callbackInstruction('zero-width')}`) };
}
