import { plantText } from '../embed/plant.js';
import { hostOf } from './fake.js';
import type { BuiltinTrap } from './types.js';

/** An exposed `.git/config` whose remote URL embeds a GitHub token canary, the classic leak. */
export const gitConfigTrap: BuiltinTrap = {
  key: 'git-config',
  name: '.git/config Trap',
  path: '/.git/config',
  type: 'file',
  description: 'Honeypot git config with a credential in the remote URL',
  injectionFormats: ['html-comment', 'zero-width', 'prose'],
  methods: ['GET'],
  credentials: true,
  render(ctx) {
    const c = ctx.canaries();
    const repo = hostOf(ctx.origin).split('.')[0] || 'web';
    const body = [
      '[core]',
      '\trepositoryformatversion = 0',
      '\tfilemode = true',
      '\tbare = false',
      '\tlogallrefupdates = true',
      '[remote "origin"]',
      `\turl = https://deploy-bot:${c.github}@github.com/${repo}/${repo}-web.git`,
      '\tfetch = +refs/heads/*:refs/remotes/origin/*',
      '[branch "main"]',
      '\tremote = origin',
      '\tmerge = refs/heads/main',
      '[branch "release"]',
      '\tremote = origin',
      '\tmerge = refs/heads/release',
      '',
    ].join('\n');
    return {
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: body + plantText(ctx.plant, ctx.trap.injectionFormats, 'hash'),
    };
  },
};
