import type { InjectionFormat } from '../traps/types.js';
import { cssHidden } from './css-hidden.js';
import { htmlComment } from './html-comment.js';
import { jsonMeta, jsonMetaFields } from './json-meta.js';
import type { Planter } from './planter.js';
import { prose, proseLines } from './prose.js';
import { scriptIgnore } from './script-ignore.js';
import type { TextSyntax } from './syntax.js';
import { zeroWidth, zeroWidthText } from './zero-width.js';

const TEXT_CHANNELS: Record<InjectionFormat, (p: Planter, syntax: TextSyntax) => string | null> = {
  'html-comment': htmlComment,
  'css-hidden': cssHidden,
  'json-meta': jsonMeta,
  'zero-width': zeroWidth,
  'script-ignore': scriptIgnore,
  prose,
};

/** Writes every channel of `formats` the syntax can carry; channels it cannot carry are skipped. */
export function plantText(p: Planter, formats: readonly InjectionFormat[], syntax: TextSyntax): string {
  let out = '';
  for (const f of formats) out += TEXT_CHANNELS[f](p, syntax) ?? '';
  return out;
}

/** The JSON form: one `_meta` object. Comments, hidden anchors and scripts have no JSON form. */
export function plantJson(p: Planter, formats: readonly InjectionFormat[]): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  if (formats.includes('json-meta')) Object.assign(meta, jsonMetaFields(p));
  if (formats.includes('zero-width')) meta.copyright = `© Example Corp. ${zeroWidthText(p)}`;
  if (formats.includes('prose')) meta.notice = proseLines(p).join(' ');
  return meta;
}
