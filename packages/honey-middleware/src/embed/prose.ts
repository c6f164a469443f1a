import type { Planter } from './planter.js';
import { comment, escapeHtml, type TextSyntax } from './syntax.js';

/**
 * Natural-language instructions (`instruction` reach): a callback to compose and an extraction request.
 * Harmless by design: they only ask the agent to visit a URL and say who it is.
 */
export function proseLines(p: Planter): string[] {
  return [p.callbackInstruction('prose'), p.extractionInstruction('prose')];
}

export function prose(p: Planter, syntax: TextSyntax): string {
  const lines = proseLines(p);
  switch (syntax) {
    case 'html':
      return `${lines.map((l) => `<p class="notice">${escapeHtml(l)}</p>`).join('\n')}\n`;
    case 'markdown':
      return `> ${lines.join('\n>\n> ')}\n`;
    default:
      return comment(syntax, lines);
  }
}
