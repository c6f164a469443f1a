import { createApiKey } from '../apikeys/keys.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/database.js';
import { OrgEntity, type OrgRow } from '../db/entities.js';
import { createOrg } from './orgs.js';

export interface BootstrapResult {
  org: OrgRow;
  /** The admin key in full: shown to the operator once and never again. */
  apiKey: string;
}

/** Creates an org and its first admin key in one transaction. */
export async function createOrgWithAdminKey(
  db: Database,
  input: { name: string; slug?: string },
  nowMs: number,
): Promise<BootstrapResult> {
  return db.transaction(async (m) => {
    const org = await createOrg(m, input, nowMs);
    const { key } = await createApiKey(
      m,
      { orgId: org.id, name: 'Bootstrap admin key', scope: 'admin' },
      nowMs,
    );
    return { org, apiKey: key };
  });
}

/**
 * First start on an empty database: a default org and its admin key. Returns null when any org exists
 * already, including when another instance starting at the same moment won the race.
 */
export async function bootstrapDefaultOrg(db: Database, nowMs: number): Promise<BootstrapResult | null> {
  if ((await db.manager.count(OrgEntity)) > 0) return null;
  try {
    return await createOrgWithAdminKey(db, { name: 'Default', slug: 'default' }, nowMs);
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}
