import { plantText } from '../embed/plant.js';
import { b64, hex, hostOf } from './fake.js';
import type { BuiltinTrap } from './types.js';

/** A leaked production `.env`: every secret a canary naming this visitor, plus a breadcrumb to the API config. */
export const envTrap: BuiltinTrap = {
  key: 'dotenv',
  name: '.env Trap',
  path: '/.env',
  type: 'file',
  description: 'Honeypot environment file with canary credentials',
  injectionFormats: ['html-comment', 'zero-width', 'prose', 'json-meta'],
  methods: ['GET'],
  credentials: true,
  render(ctx) {
    const c = ctx.canaries();
    const host = hostOf(ctx.origin);
    const config = ctx.others.find((t) => t.type === 'config' && t.path.startsWith('/api'));
    const lines = [
      '# Production environment (managed by deploy; do not commit)',
      'NODE_ENV=production',
      `APP_URL=${ctx.origin}`,
      'PORT=3000',
      `DATABASE_URL=${c.databaseUrl}`,
      `REDIS_URL=redis://default:${b64(18)}@redis.internal:6379/0`,
      `SESSION_SECRET=${hex(32)}`,
      `JWT_SECRET=${b64(48)}`,
      '',
      `OPENAI_API_KEY=${c.openai}`,
      `ANTHROPIC_API_KEY=${c.anthropic}`,
      `STRIPE_SECRET_KEY=${c.stripe}`,
      `STRIPE_WEBHOOK_SECRET=whsec_${b64(24)}`,
      `GITHUB_TOKEN=${c.github}`,
      '',
      `AWS_ACCESS_KEY_ID=${c.awsAccessKeyId}`,
      `AWS_SECRET_ACCESS_KEY=${c.awsSecretAccessKey}`,
      'AWS_REGION=us-east-1',
      `S3_BUCKET=${host.replace(/[^a-z0-9]/g, '-')}-uploads`,
      '',
      `ADMIN_EMAIL=admin@${host}`,
      `ADMIN_PASSWORD=${c.adminPassword}`,
      config ? `INTERNAL_CONFIG_URL=${ctx.plant.breadcrumb(config.path, 'structural', 'text')}` : '',
      `SENTRY_DSN=https://${hex(16)}@o${Math.floor(Math.random() * 900000) + 100000}.ingest.sentry.io/${Math.floor(Math.random() * 9000000)}`,
      '',
    ];
    const body = lines.join('\n') + plantText(ctx.plant, ctx.trap.injectionFormats, 'env');
    return { status: 200, contentType: 'text/plain; charset=utf-8', body };
  },
};
