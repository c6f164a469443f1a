import type { Planter } from './planter.js';
import { comment, escapeHtml, pick, type TextSyntax } from './syntax.js';

const ZERO = '\u200b';
const ONE = '\u200c';
const TAG_BASE = 0xe0000;

/** The eight zero-width characters of each byte value, most significant bit first. */
const ZW_BYTE: string[] = Array.from({ length: 256 }, (_, byte) => {
  let out = '';
  for (let bit = 7; bit >= 0; bit--) out += (byte >> bit) & 1 ? ONE : ZERO;
  return out;
});

/** Encodes ASCII as zero-width characters, 8 per byte: invisible, but a raw-text reader can decode it. */
export function encodeZeroWidth(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) out += ZW_BYTE[byte];
  return out;
}

export function decodeZeroWidth(text: string): string {
  const bits = [...text].filter((c) => c === ZERO || c === ONE);
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) {
    let b = 0;
    for (let j = 0; j < 8; j++) b = (b << 1) | (bits[i + j] === ONE ? 1 : 0);
    bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** UTF-16LE scratch for `encodeTags`, grown when a longer text comes. */
let utf16 = Buffer.alloc(4096);

/**
 * Encodes printable ASCII as Unicode tag characters (U+E0020–U+E007E): no glyph, skipped by screen
 * readers, kept by text extraction and Markdown conversion, and read as text by language models.
 * The surrogate pairs are written as UTF-16LE bytes and decoded once (a `String.fromCodePoint` per
 * character cost three times as much).
 */
export function encodeTags(text: string): string {
  if (utf16.length < 4 * text.length) utf16 = Buffer.alloc(4 * text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) continue;
    // U+E00xx is the surrogate pair DB40 DCxx: little-endian, 40 DB then xx DC.
    utf16[n] = 0x40;
    utf16[n + 1] = 0xdb;
    utf16[n + 2] = c;
    utf16[n + 3] = 0xdc;
    n += 4;
  }
  return utf16.toString('utf16le', 0, n);
}

export function decodeTags(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= TAG_BASE + 0x20 && c <= TAG_BASE + 0x7e) out += String.fromCharCode(c - TAG_BASE);
  }
  return out;
}

/** A visible sentence carrying a zero-width URL (`text` reach) and a tag-character instruction (`instruction`). */
export function zeroWidthText(p: Planter): string {
  const visible = pick([
    'All rights reserved.',
    'Generated automatically; do not edit.',
    'Last reviewed by ops.',
  ]);
  const hidden = encodeZeroWidth(p.url('zero-width', 'text'));
  const tags = encodeTags(p.callbackInstruction('zero-width'));
  const cut = Math.floor(visible.length / 2);
  return visible.slice(0, cut) + hidden + visible.slice(cut) + tags;
}

export function zeroWidth(p: Planter, syntax: TextSyntax): string {
  const line = zeroWidthText(p);
  if (syntax === 'html') return `<p class="fine-print">${escapeHtml(line)}</p>\n`;
  if (syntax === 'markdown') return `${line}\n`;
  return comment(syntax, [line]);
}
