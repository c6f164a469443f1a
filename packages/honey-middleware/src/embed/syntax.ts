/** The native syntax of a trap body: decides how a channel writes itself into it. */
export type Syntax = 'html' | 'xml' | 'markdown' | 'hash' | 'env' | 'slash' | 'json';

/** Text syntaxes have comments; JSON bodies take embeds as fields instead. */
export type TextSyntax = Exclude<Syntax, 'json'>;

/** A comment in the body's own syntax. `-->` is defused so a payload can never close an HTML comment early. */
export function comment(syntax: TextSyntax, lines: string[]): string {
  switch (syntax) {
    case 'html':
    case 'xml':
    case 'markdown':
      return `<!--\n${lines.map((l) => `  ${l.replaceAll('-->', '- ->')}`).join('\n')}\n-->\n`;
    case 'slash':
      return `${lines.map((l) => `// ${l}`).join('\n')}\n`;
    default:
      return `${lines.map((l) => `# ${l}`).join('\n')}\n`;
  }
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Picks one element at random: phrasing varies per response so payloads do not form a fixed signature. */
export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}
