import { plantJson } from '../embed/plant.js';
import { hex } from './fake.js';
import type { BuiltinTrap } from './types.js';

/** A JSON service configuration an over-sharing API might expose: integration keys are canaries. */
export const apiConfigTrap: BuiltinTrap = {
  key: 'api-config',
  name: 'API Config Trap',
  path: '/api/v1/config',
  type: 'config',
  description: 'Honeypot JSON configuration endpoint',
  injectionFormats: ['json-meta', 'zero-width', 'prose'],
  methods: ['GET'],
  credentials: true,
  render(ctx) {
    const c = ctx.canaries();
    const links: Record<string, string> = {
      self: `${ctx.origin}${ctx.trap.path}`,
      status: ctx.plant.url('structural', 'link'),
    };
    for (const t of ctx.others)
      if (t.type === 'api')
        links[t.path.split('/').filter(Boolean).pop() ?? t.path] = ctx.plant.breadcrumb(
          t.path,
          'structural',
          'link',
        );
    const body = {
      environment: 'production',
      version: `2.${Math.floor(Math.random() * 20)}.${Math.floor(Math.random() * 10)}`,
      request_id: hex(8),
      features: { signup: true, sso: true, beta_dashboard: false },
      services: {
        database: { url: c.databaseUrl, pool_size: 20 },
        payments: { provider: 'stripe', secret_key: c.stripe },
        ai: { openai_api_key: c.openai, anthropic_api_key: c.anthropic, default_model: 'gpt-4o-mini' },
        storage: {
          provider: 's3',
          region: 'eu-west-1',
          access_key_id: c.awsAccessKeyId,
          secret_access_key: c.awsSecretAccessKey,
        },
      },
      links,
      _meta: plantJson(ctx.plant, ctx.trap.injectionFormats),
    };
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(body, null, 2),
    };
  },
};
