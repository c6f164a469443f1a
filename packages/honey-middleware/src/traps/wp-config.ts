import { plantText } from '../embed/plant.js';
import { b64 } from './fake.js';
import type { BuiltinTrap } from './types.js';

const SALTS = [
  'AUTH_KEY',
  'SECURE_AUTH_KEY',
  'LOGGED_IN_KEY',
  'NONCE_KEY',
  'AUTH_SALT',
  'SECURE_AUTH_SALT',
  'LOGGED_IN_SALT',
  'NONCE_SALT',
];

/** A `wp-config.php` served as source (the misconfiguration scanners hope for), with a canary DB password. */
export const wpConfigTrap: BuiltinTrap = {
  key: 'wp-config',
  name: 'wp-config.php Trap',
  path: '/wp-config.php',
  type: 'file',
  description: 'Honeypot WordPress config with canary database credentials',
  injectionFormats: ['html-comment', 'zero-width', 'prose', 'json-meta'],
  methods: ['GET'],
  credentials: true,
  render(ctx) {
    const c = ctx.canaries();
    const body = [
      '<?php',
      '/**',
      ' * The base configuration for WordPress',
      ' */',
      '',
      "define( 'DB_NAME', 'wp_production' );",
      "define( 'DB_USER', 'wp_admin' );",
      `define( 'DB_PASSWORD', '${c.databasePassword}' );`,
      "define( 'DB_HOST', 'db-primary.internal:3306' );",
      "define( 'DB_CHARSET', 'utf8mb4' );",
      "define( 'DB_COLLATE', '' );",
      '',
      ...SALTS.map((k) => `define( '${k}', '${b64(48)}' );`),
      '',
      `define( 'OPENAI_API_KEY', '${c.openai}' );`,
      "$table_prefix = 'wp_';",
      "define( 'WP_DEBUG', false );",
      '',
      plantText(ctx.plant, ctx.trap.injectionFormats, 'slash'),
      "if ( ! defined( 'ABSPATH' ) ) {",
      "\tdefine( 'ABSPATH', __DIR__ . '/' );",
      '}',
      "require_once ABSPATH . 'wp-settings.php';",
      '',
    ].join('\n');
    return { status: 200, contentType: 'text/plain; charset=utf-8', body };
  },
};
