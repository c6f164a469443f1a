import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { randomBase62 } from '../crypto.js';
import { OrgEntity, type OrgRow } from '../db/entities.js';
import { seedDefaultTraps } from '../honey/traps.js';

/** Lower-case, dash-separated, unique: derived from the name plus a random tail on collision. */
function slugify(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return base || 'org';
}

export interface NewOrg {
  name: string;
  slug?: string;
  externalId?: string;
}

/**
 * Creates an org inside the caller's transaction. Later subsystems (the default trap set, billing)
 * hang their per-org set-up here so every way an org comes to exist gets it.
 */
export async function createOrg(manager: EntityManager, input: NewOrg, nowMs: number): Promise<OrgRow> {
  let slug = input.slug ?? slugify(input.name);
  if (await manager.findOneBy(OrgEntity, { slug })) slug = `${slug}-${randomBase62(6).toLowerCase()}`;
  const org = manager.create(OrgEntity, {
    id: randomUUID(),
    slug,
    name: input.name,
    externalId: input.externalId ?? null,
    createdAt: new Date(nowMs).toISOString(),
  });
  const saved = await manager.save(OrgEntity, org);
  await seedDefaultTraps(manager, saved.id, nowMs);
  return saved;
}
