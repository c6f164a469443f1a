import { plantText } from '../embed/plant.js';
import { escapeHtml } from '../embed/syntax.js';
import { fakeUsers, hex, hostOf } from './fake.js';
import type { BuiltinTrap, TrapContext } from './types.js';

function page(ctx: TrapContext, title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)} · ${escapeHtml(hostOf(ctx.origin))}</title>
</head>
<body>
<main>
${main}
</main>
${plantText(ctx.plant, ctx.trap.injectionFormats, 'html')}</body>
</html>
`;
}

function form(ctx: TrapContext, error: string | null): string {
  return `<h1>Sign in to the admin console</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>\n` : ''}<form method="post" action="${escapeHtml(ctx.trap.path)}">
<input type="hidden" name="csrf_token" value="${hex(16)}">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`;
}

/** An admin login page: GET shows the form, POST is a login attempt; a canary password "succeeds". */
export const adminLoginTrap: BuiltinTrap = {
  key: 'admin-login',
  name: 'Admin Login Trap',
  path: '/admin/login',
  type: 'api',
  description: 'Honeypot admin login that accepts POST',
  injectionFormats: ['html-comment', 'css-hidden', 'json-meta', 'zero-width', 'script-ignore', 'prose'],
  methods: ['GET', 'POST'],
  credentials: false,
  render(ctx) {
    const html = (status: number, title: string, main: string) => ({
      status,
      contentType: 'text/html; charset=utf-8',
      body: page(ctx, title, main),
    });
    if (ctx.method !== 'POST') return html(200, 'Sign in', form(ctx, null));
    if (!ctx.credential) return html(401, 'Sign in', form(ctx, 'Invalid username or password.'));
    const rows = fakeUsers(6, hostOf(ctx.origin))
      .map((u) => `<tr><td>${u.id}</td><td>${escapeHtml(String(u.email))}</td><td>${u.role}</td></tr>`)
      .join('\n');
    return html(
      200,
      'Dashboard',
      `<h1>Dashboard</h1>\n<table>\n<tr><th>ID</th><th>Email</th><th>Role</th></tr>\n${rows}\n</table>`,
    );
  },
};
