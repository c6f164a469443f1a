import { adminLoginTrap } from './admin-login.js';
import { apiConfigTrap } from './api-config.js';
import { dockerComposeTrap } from './docker-compose.js';
import { envTrap } from './env.js';
import { gitConfigTrap } from './git-config.js';
import { graphqlTrap } from './graphql.js';
import { llmsTrap } from './llms.js';
import { robotsTrap } from './robots.js';
import { sitemapTrap } from './sitemap.js';
import type { BuiltinTrap } from './types.js';
import { usersTrap } from './users.js';
import { wpConfigTrap } from './wp-config.js';

/** The fixed default set (DESIGN §3), in the order the control plane seeds them for a new org. */
export const DEFAULT_TRAPS: readonly BuiltinTrap[] = [
  robotsTrap,
  sitemapTrap,
  llmsTrap,
  envTrap,
  gitConfigTrap,
  wpConfigTrap,
  apiConfigTrap,
  dockerComposeTrap,
  usersTrap,
  graphqlTrap,
  adminLoginTrap,
];

/** Default trap ids when no control plane list is known: stable, so hits from all instances agree. */
export const defaultTrapId = (key: string): string => `default:${key}`;
