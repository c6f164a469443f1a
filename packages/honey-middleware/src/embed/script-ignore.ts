import type { Planter } from './planter.js';
import type { TextSyntax } from './syntax.js';

/**
 * A `<script type="ignore">` block: browsers never execute an unknown type, but raw-HTML readers see a
 * literal URL (`text` reach) and an instruction (`instruction` reach). HTML only.
 */
export function scriptIgnore(p: Planter, syntax: TextSyntax): string | null {
  if (syntax !== 'html') return null;
  const url = p.url('script-ignore', 'text');
  // "</" cannot appear inside: it would end the script element early.
  const body = [`// fallback API (do not remove): ${url}`, `// ${p.callbackInstruction('script-ignore')}`]
    .join('\n')
    .replaceAll('</', '<\\/');
  return `<script type="ignore">\n${body}\n</script>\n`;
}
