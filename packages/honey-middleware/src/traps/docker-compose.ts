import { plantText } from '../embed/plant.js';
import type { BuiltinTrap } from './types.js';

/** A `docker-compose.yml` left in the web root, with canary credentials in service environments. */
export const dockerComposeTrap: BuiltinTrap = {
  key: 'docker-compose',
  name: 'docker-compose.yml Trap',
  path: '/docker-compose.yml',
  type: 'config',
  description: 'Honeypot compose file with canary service credentials',
  injectionFormats: ['html-comment', 'zero-width', 'prose', 'json-meta'],
  methods: ['GET'],
  credentials: true,
  render(ctx) {
    const c = ctx.canaries();
    const body = [
      plantText(ctx.plant, ctx.trap.injectionFormats, 'hash'),
      'services:',
      '  web:',
      '    image: ghcr.io/acme/web:2024.11.3',
      '    restart: unless-stopped',
      '    ports:',
      '      - "3000:3000"',
      '    environment:',
      '      NODE_ENV: production',
      `      DATABASE_URL: ${c.databaseUrl.replace('db-primary.internal', 'db')}`,
      `      OPENAI_API_KEY: ${c.openai}`,
      `      STRIPE_SECRET_KEY: ${c.stripe}`,
      `      AWS_ACCESS_KEY_ID: ${c.awsAccessKeyId}`,
      `      AWS_SECRET_ACCESS_KEY: "${c.awsSecretAccessKey}"`,
      '    depends_on: [db, redis]',
      '  db:',
      '    image: postgres:16',
      '    environment:',
      '      POSTGRES_USER: app_rw',
      `      POSTGRES_PASSWORD: ${c.databasePassword}`,
      '      POSTGRES_DB: app_production',
      '    volumes:',
      '      - pgdata:/var/lib/postgresql/data',
      '  redis:',
      '    image: redis:7-alpine',
      'volumes:',
      '  pgdata: {}',
      '',
    ].join('\n');
    return { status: 200, contentType: 'application/yaml; charset=utf-8', body };
  },
};
