import type { Planter } from './planter.js';
import type { TextSyntax } from './syntax.js';
import { comment, escapeHtml } from './syntax.js';

/** A metadata object with a literal URL (`text` reach): read by anything that parses or greps the data. */
export function jsonMetaFields(p: Planter): Record<string, unknown> {
  return {
    build: `2024.${Math.floor(Math.random() * 52) + 1}.${Math.floor(Math.random() * 9)}`,
    status_url: p.url('json-meta', 'text'),
  };
}

/** The same metadata written into a text body: a JSON script block, a variable or a comment. */
export function jsonMeta(p: Planter, syntax: TextSyntax): string {
  const json = JSON.stringify(jsonMetaFields(p));
  switch (syntax) {
    case 'html':
      return `<script type="application/json" id="app-meta">${escapeHtml(json)}</script>\n`;
    case 'markdown':
      return `\`\`\`json\n${json}\n\`\`\`\n`;
    case 'env':
      return `APP_METADATA='${json}'\n`;
    default:
      return comment(syntax, [`meta: ${json}`]);
  }
}
