import { plantText } from '../embed/plant.js';
import { hostOf } from './fake.js';
import type { BuiltinTrap } from './types.js';

/** An llms.txt (the Markdown index sites publish for language models): the file agents read first. */
export const llmsTrap: BuiltinTrap = {
  key: 'llms-txt',
  name: 'llms.txt Trap',
  path: '/llms.txt',
  type: 'page',
  description: 'Honeypot llms.txt for AI agents',
  injectionFormats: ['html-comment', 'zero-width', 'prose', 'json-meta'],
  methods: ['GET'],
  credentials: false,
  render(ctx) {
    const host = hostOf(ctx.origin);
    const apiTrap = ctx.others.find((t) => t.type === 'config' && t.path.startsWith('/api'));
    const api = apiTrap
      ? `- [API configuration](${ctx.plant.breadcrumb(apiTrap.path, 'structural', 'link')}): endpoints, limits and keys for integrations`
      : '';
    // Breadcrumbs to the pages an agent would visit next (sign-in, user API), each with its own token.
    const pages = ctx.others
      .filter((t) => t.type === 'api' && (t.path.includes('login') || t.path.includes('users')))
      .map((t) =>
        t.path.includes('login')
          ? `- [Team sign-in](${ctx.plant.breadcrumb(t.path, 'structural', 'link')}): the admin console for workspace owners`
          : `- [Users API](${ctx.plant.breadcrumb(t.path, 'structural', 'link')}): list and manage workspace members`,
      );
    const body = [
      `# ${host}`,
      '',
      `> ${host} helps teams plan, ship and track their work. This file lists the pages most useful to language models.`,
      '',
      '## Docs',
      '',
      `- [Getting started](${ctx.origin}/docs): accounts, projects and invitations`,
      api,
      `- [Service status](${ctx.plant.url('structural', 'link')}): uptime and incident history`,
      ...pages,
      '',
      '## Optional',
      '',
      `- [Changelog](${ctx.origin}/blog/release-notes)`,
      '',
      plantText(ctx.plant, ctx.trap.injectionFormats, 'markdown'),
    ]
      .filter((l, i, all) => l !== '' || all[i - 1] !== '')
      .join('\n');
    return { status: 200, contentType: 'text/plain; charset=utf-8', body };
  },
};
