import { describe, expect, it } from 'vitest';
import { splitUrl } from '../src/request.js';
import { isHtmlType } from '../src/tripwires/response.js';

describe('splitUrl', () => {
  it('splits path and query at the first ?, and drops a fragment from the path', () => {
    expect(splitUrl('/')).toEqual({ path: '/', query: '' });
    expect(splitUrl('/a/b')).toEqual({ path: '/a/b', query: '' });
    expect(splitUrl('/a?b=1&c=2')).toEqual({ path: '/a', query: 'b=1&c=2' });
    expect(splitUrl('/a?')).toEqual({ path: '/a', query: '' });
    expect(splitUrl('/a?b=1?c')).toEqual({ path: '/a', query: 'b=1?c' });
    expect(splitUrl('/a#frag')).toEqual({ path: '/a', query: '' });
    expect(splitUrl('/a?q=1#frag')).toEqual({ path: '/a', query: 'q=1#frag' });
    expect(splitUrl('/a#frag?q=1')).toEqual({ path: '/a', query: 'q=1' });
    expect(splitUrl('')).toEqual({ path: '', query: '' });
  });

  it('never decodes, so bad percent-encoding stays as it came', () => {
    expect(splitUrl('/%E0%A4%A/x?y=%zz')).toEqual({ path: '/%E0%A4%A/x', query: 'y=%zz' });
  });
});

describe('isHtmlType', () => {
  it('knows text/html in any case, with or without parameters', () => {
    for (const t of ['text/html', 'text/html; charset=utf-8', 'Text/HTML; Charset=UTF-8', 'TEXT/HTML'])
      expect(isHtmlType(t), t).toBe(true);
  });

  it('turns every other type away', () => {
    for (const t of [
      '',
      'text/plain',
      'text/htm',
      'text/xhtml',
      'application/json',
      'text',
      'text/hxml',
      'image/html',
    ])
      expect(isHtmlType(t), t).toBe(false);
  });
});
