import { describe, expect, it } from 'vitest';
import { isBotUserAgent, KNOWN_AGENT_COUNT, matchAgent } from '../src/agents.js';

describe('known agents', () => {
  it('loads the vendored ai.robots.txt snapshot', () => {
    expect(KNOWN_AGENT_COUNT).toBeGreaterThan(150);
  });

  it.each([
    [
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
      'GPTBot',
      'training',
    ],
    ['Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)', 'ClaudeBot', 'training'],
    [
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot',
      'ChatGPT-User',
      'assistant',
    ],
    ['claude-code/1.0.44 (external, cli)', 'Claude-Code', 'coding-agent'],
    [
      'Mozilla/5.0 (compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)',
      'PerplexityBot',
      'search',
    ],
  ])('recognises %s', (ua, name, purpose) => {
    expect(matchAgent(ua)).toMatchObject({ name, purpose });
  });

  it('matches on word boundaries only, and plain-word tokens in their exact case', () => {
    expect(matchAgent('Mozilla/5.0 VSCode/1.90')).toBeNull();
    expect(matchAgent('Mozilla/5.0 (compatible; MyGPTBotty/1.0)')).toBeNull();
    expect(matchAgent('Sogou web spider/4.0')).toBeNull();
    expect(matchAgent('Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0')).toBeNull();
    expect(matchAgent('Cursor/0.42 (darwin)')?.name).toBe('Cursor');
    expect(matchAgent('Mozilla/5.0 (compatible; gptbot/1.0)')?.name).toBe('GPTBot');
    expect(matchAgent(undefined)).toBeNull();
  });

  it('strips markdown from operators and recognises generic bots through isbot', () => {
    expect(matchAgent('AI2Bot/1.0')?.operator).toBe('Ai2');
    expect(isBotUserAgent('Googlebot/2.1 (+http://www.google.com/bot.html)')).toBe(true);
    expect(
      isBotUserAgent(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      ),
    ).toBe(false);
  });

  it('gives the same verdicts from memory, past the memory bound, and for over-long User-Agents', () => {
    const gpt = 'Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)';
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
    for (let round = 0; round < 3; round++) {
      expect(matchAgent(gpt)?.name).toBe('GPTBot');
      expect(matchAgent(chrome)).toBeNull();
      expect(isBotUserAgent(gpt)).toBe(true);
      expect(isBotUserAgent(chrome)).toBe(false);
      // Enough unique strings to make the memory start over in between.
      for (let i = 0; i < 1500; i++) {
        expect(matchAgent(`${chrome} build/${round}.${i}`)).toBeNull();
        expect(isBotUserAgent(`curl/8.${round}.${i}`)).toBe(true);
      }
    }
    // Only the first 512 characters name the agent; isbot still reads the whole string.
    expect(matchAgent(`${'x'.repeat(500)} GPTBot/1.0`)?.name).toBe('GPTBot');
    expect(matchAgent(`${'x'.repeat(600)} GPTBot/1.0`)).toBeNull();
    expect(isBotUserAgent(`${chrome} ${'x'.repeat(600)} Googlebot/2.1`)).toBe(true);
  });
});
