import { randomUUID } from 'node:crypto';
import { DEFAULT_TRAP_SET } from '@lobster/honey-middleware';
import { type EntityManager, IsNull } from 'typeorm';
import { TrapEntity, type TrapRow } from '../db/entities.js';
import { appendEvent } from '../events/log.js';
import { ApiError, NotFound } from '../http/errors.js';

export class TrapNotFound extends NotFound {
  constructor(id: string) {
    super('TRAP_NOT_FOUND', `Trap with id '${id}' not found`);
  }
}

export class TrapPathTaken extends ApiError {
  constructor(path: string) {
    super(409, 'TRAP_PATH_TAKEN', `A trap already answers ${path} on this site`);
  }
}

/** A trap as the LobsterHoney API shows it (the seed's snake_case fields, `active` as 1/0). */
export interface PublicTrap {
  id: string;
  name: string;
  path: string;
  type: TrapRow['type'];
  description: string;
  active: number;
  injection_formats: string;
  site_id: string | null;
  created_at: string;
  updated_at: string;
  org_id: string;
}

export function toPublicTrap(row: TrapRow): PublicTrap {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    type: row.type,
    description: row.description,
    active: row.active,
    injection_formats: row.injectionFormats,
    site_id: row.siteId,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    org_id: row.orgId,
  };
}

/** What events say about a trap: everything but the org (the event already belongs to it). */
function eventData(row: TrapRow): Record<string, unknown> {
  const { org_id: _org, ...data } = toPublicTrap(row);
  return data;
}

export interface NewTrap {
  name: string;
  path: string;
  type: TrapRow['type'];
  description: string;
  active: boolean;
  injectionFormats: string;
  siteId: string | null;
}

async function assertPathFree(
  m: EntityManager,
  orgId: string,
  siteId: string | null,
  path: string,
  except?: string,
) {
  const clash = await m.findOneBy(TrapEntity, { orgId, path, siteId: siteId === null ? IsNull() : siteId });
  if (clash && clash.id !== except) throw new TrapPathTaken(path);
}

export async function createTrap(
  m: EntityManager,
  orgId: string,
  input: NewTrap,
  nowMs: number,
): Promise<TrapRow> {
  await assertPathFree(m, orgId, input.siteId, input.path);
  const at = new Date(nowMs).toISOString();
  const row = await m.save(
    TrapEntity,
    m.create(TrapEntity, {
      id: randomUUID(),
      orgId,
      siteId: input.siteId,
      name: input.name,
      path: input.path,
      type: input.type,
      description: input.description,
      active: input.active ? 1 : 0,
      injectionFormats: input.injectionFormats,
      createdAt: at,
      updatedAt: at,
    }),
  );
  await appendEvent(m, { orgId, type: 'trap.created', data: eventData(row) }, nowMs);
  return row;
}

export type TrapChanges = Partial<
  Pick<NewTrap, 'name' | 'description' | 'active' | 'injectionFormats' | 'siteId'>
>;

export async function updateTrap(
  m: EntityManager,
  orgId: string,
  id: string,
  changes: TrapChanges,
  nowMs: number,
): Promise<TrapRow> {
  const row = await m.findOneBy(TrapEntity, { id, orgId });
  if (!row) throw new TrapNotFound(id);
  if (changes.siteId !== undefined && changes.siteId !== row.siteId) {
    await assertPathFree(m, orgId, changes.siteId, row.path, row.id);
  }
  if (changes.name !== undefined) row.name = changes.name;
  if (changes.description !== undefined) row.description = changes.description;
  if (changes.active !== undefined) row.active = changes.active ? 1 : 0;
  if (changes.injectionFormats !== undefined) row.injectionFormats = changes.injectionFormats;
  if (changes.siteId !== undefined) row.siteId = changes.siteId;
  row.updatedAt = new Date(nowMs).toISOString();
  await m.save(TrapEntity, row);
  await appendEvent(
    m,
    { orgId, type: 'trap.updated', data: { ...eventData(row), changed: Object.keys(changes) } },
    nowMs,
  );
  return row;
}

/** Deletes the trap only; hits and sessions that name it stay as they are. */
export async function deleteTrap(
  m: EntityManager,
  orgId: string,
  id: string,
  nowMs: number,
): Promise<TrapRow> {
  const row = await m.findOneBy(TrapEntity, { id, orgId });
  if (!row) throw new TrapNotFound(id);
  await m.delete(TrapEntity, { id, orgId });
  await appendEvent(m, { orgId, type: 'trap.deleted', data: eventData(row) }, nowMs);
  return row;
}

/** Every new org starts with the middleware's default trap set, each trap with an id of its own. */
export async function seedDefaultTraps(m: EntityManager, orgId: string, nowMs: number): Promise<void> {
  await m.save(
    TrapEntity,
    DEFAULT_TRAP_SET.map((t, i) => {
      // A millisecond apart, so listing by creation time keeps the catalogue's order.
      const at = new Date(nowMs + i).toISOString();
      return m.create(TrapEntity, {
        id: randomUUID(),
        orgId,
        siteId: null,
        name: t.name,
        path: t.path,
        type: t.type,
        description: t.description,
        active: 1,
        injectionFormats: t.injection_formats,
        createdAt: at,
        updatedAt: at,
      });
    }),
  );
}
