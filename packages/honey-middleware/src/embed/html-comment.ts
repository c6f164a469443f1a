import type { Planter } from './planter.js';
import { comment, pick, type TextSyntax } from './syntax.js';

/**
 * A comment in the body's own syntax (`<!-- -->`, `#`, `//`): a literal URL (`text` reach) and an
 * instruction (`instruction` reach). Comments are dropped by renderers, read by scrapers and LLMs.
 */
export function htmlComment(p: Planter, syntax: TextSyntax): string {
  const url = p.url('html-comment', 'text');
  const note = pick([
    'TODO(ops): move the health probe to',
    'Legacy status endpoint (keep until v3):',
    'Internal: debug console at',
  ]);
  return comment(syntax, [`${note} ${url}`, p.callbackInstruction('html-comment')]);
}
