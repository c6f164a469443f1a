export type { PublicApiKey } from './apikeys/keys.js';
export { type AppOptions, type ControlPlane, createApp } from './app.js';
export { type Config, ConfigError, loadConfig } from './config.js';
export type { ApiKeyScope } from './db/entities.js';
export type { PublicEvent } from './events/log.js';
export { ApiError, isApiError } from './http/errors.js';
export { type BootstrapResult, bootstrapDefaultOrg, createOrgWithAdminKey } from './orgs/bootstrap.js';
