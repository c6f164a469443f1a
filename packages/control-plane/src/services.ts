import type { Logger } from 'pino';
import type { ApiKeyVerifier } from './apikeys/verifier.js';
import type { Database } from './db/database.js';

/** What route modules are built from: one instance per app, passed in, never imported as globals. */
export interface Services {
  db: Database;
  clock: () => number;
  logger: Logger;
  apiKeys: ApiKeyVerifier;
}
