import { cssHidden } from '../embed/css-hidden.js';
import { htmlComment } from '../embed/html-comment.js';
import type { Planter } from '../embed/planter.js';
import { prose } from '../embed/prose.js';
import { scriptIgnore } from '../embed/script-ignore.js';
import { encodeTags, zeroWidth } from '../embed/zero-width.js';

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
 * Mints one page's tripwire with the trap channels, so tokens, phrasing and verification are those of
 * the traps: `link` (the hidden anchor), `text` (comment, `<script type="ignore">`, zero-width URL) and
 * `instruction` (prose, comment and script notes, tag characters).
 */
export function tripwireContent(p: Planter): TripwireContent {
  const inner =
    (cssHidden(p, 'html') ?? '') +
    htmlComment(p, 'html') +
    (scriptIgnore(p, 'html') ?? '') +
    zeroWidth(p, 'html') +
    prose(p, 'html');
  // data-nosnippet keeps search engines from quoting it; `hidden` keeps it out of layout and the a11y tree.
  const block = `\n<div hidden aria-hidden="true" data-nosnippet>\n${inner}</div>\n`;
  return { block, tags: encodeTags(` ${p.callbackInstruction('zero-width')}`) };
}
