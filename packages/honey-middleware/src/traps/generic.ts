import { plantJson, plantText } from '../embed/plant.js';
import { escapeHtml } from '../embed/syntax.js';
import { hex } from './fake.js';
import type { TrapRenderer, TrapType } from './types.js';
import { apiResponse } from './users.js';

/** Content for traps the default set has no dedicated renderer for (user traps, synced traps), by type. */
export const GENERIC_RENDERERS: Record<TrapType, TrapRenderer> = {
  file(ctx) {
    const c = ctx.canaries();
    const body = `# ${ctx.trap.name}\nDATABASE_URL=${c.databaseUrl}\nAPI_KEY=${c.openai}\nAWS_ACCESS_KEY_ID=${c.awsAccessKeyId}\nAWS_SECRET_ACCESS_KEY=${c.awsSecretAccessKey}\n`;
    return {
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: body + plantText(ctx.plant, ctx.trap.injectionFormats, 'hash'),
    };
  },
  config(ctx) {
    const c = ctx.canaries();
    const body = {
      environment: 'production',
      request_id: hex(8),
      database: { url: c.databaseUrl },
      integrations: { stripe_secret_key: c.stripe, openai_api_key: c.openai, github_token: c.github },
      status_url: ctx.plant.url('structural', 'link'),
      _meta: plantJson(ctx.plant, ctx.trap.injectionFormats),
    };
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(body, null, 2),
    };
  },
  api(ctx) {
    return apiResponse(ctx, () => ({ data: [], next: ctx.plant.url('structural', 'link') }));
  },
  page(ctx) {
    const title = escapeHtml(ctx.trap.name);
    const body = `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<p><a href="${escapeHtml(ctx.plant.url('structural', 'link'))}" rel="nofollow">Continue</a></p>\n${plantText(ctx.plant, ctx.trap.injectionFormats, 'html')}</body>\n</html>\n`;
    return { status: 200, contentType: 'text/html; charset=utf-8', body };
  },
};

/** Which syntax-independent fields a generic trap's type implies. */
export const GENERIC_CREDENTIALS: Record<TrapType, boolean> = {
  file: true,
  config: true,
  api: false,
  page: false,
};
