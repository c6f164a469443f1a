import type { EntityManager, QueryRunner } from 'typeorm';
import { randomBase62 } from '../crypto.js';
import { type ColumnType, insertRows } from '../db/database.js';
import { EventEntity, type EventRow } from '../db/entities.js';

export const API_VERSION = '2024-01-01';

/** An event as the API shows it (`{id: "evt_…", type, api_version, created_at, data}`). */
export interface PublicEvent {
  id: string;
  type: string;
  api_version: string;
  created_at: string;
  data: Record<string, unknown>;
}

export interface NewEvent {
  orgId: string;
  type: string;
  data: Record<string, unknown>;
  cageId?: string;
}

/** Transactions that appended events; the stream hub wakes its readers when one of them commits. */
const wroteEvents = new WeakSet<QueryRunner>();

/** True (once) when the transaction on `runner` appended events. */
export function takeEventsWritten(runner: QueryRunner): boolean {
  return wroteEvents.delete(runner);
}

function noteWrite(manager: EntityManager): void {
  if (manager.queryRunner) wroteEvents.add(manager.queryRunner);
}

/**
 * Appends to the org's event log inside the caller's transaction, so an event exists exactly when the
 * change it describes was committed. Data must never carry secrets (keys, env values, URLs with tokens).
 */
export async function appendEvent(manager: EntityManager, event: NewEvent, nowMs: number): Promise<EventRow> {
  const row = manager.create(EventEntity, {
    id: `evt_${randomBase62(24)}`,
    orgId: event.orgId,
    type: event.type,
    apiVersion: API_VERSION,
    cageId: event.cageId ?? null,
    data: JSON.stringify(event.data),
    createdAt: new Date(nowMs).toISOString(),
  });
  noteWrite(manager);
  return manager.save(EventEntity, row);
}

export function toPublicEvent(row: EventRow): PublicEvent {
  return {
    id: row.id,
    type: row.type,
    api_version: row.apiVersion,
    created_at: row.createdAt,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

const EVENT_COLUMNS: [string, ColumnType][] = [
  ['id', 'text'],
  ['org_id', 'text'],
  ['type', 'text'],
  ['api_version', 'text'],
  ['cage_id', 'text'],
  ['data', 'text'],
  ['created_at', 'text'],
];

/** Appends many events with one statement, in order (their log positions follow the array). */
export async function appendEvents(manager: EntityManager, events: NewEvent[], nowMs: number): Promise<void> {
  if (events.length === 0) return;
  const createdAt = new Date(nowMs).toISOString();
  noteWrite(manager);
  await insertRows(
    manager,
    'events',
    EVENT_COLUMNS,
    events.map((e) => [
      `evt_${randomBase62(24)}`,
      e.orgId,
      e.type,
      API_VERSION,
      e.cageId ?? null,
      JSON.stringify(e.data),
      createdAt,
    ]),
  );
}
