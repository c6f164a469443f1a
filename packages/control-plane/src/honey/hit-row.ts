import type { ColumnType } from '../db/database.js';
import type { WireHit } from './ingest-schema.js';

/** The columns of `honey_hits` in the order `hitRow` gives their values, with their types for `insertRows`. */
export const HIT_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['org_id', 'text'],
  ['id', 'text'],
  ['session_id', 'text'],
  ['site', 'text'],
  ['type', 'text'],
  ['ts', 'text'],
  ['received_at', 'text'],
  ['trap_id', 'text'],
  ['trap_type', 'text'],
  ['path', 'text'],
  ['ip', 'text'],
  ['token_reach', 'text'],
  ['tripwire', 'int'],
  ['prompt', 'int'],
  ['record', 'text'],
];

/** Where a hit is stored and what ingest derived from it. */
export interface HitPlacement {
  orgId: string;
  sessionId: string;
  site: string;
  /** The hit's time as ingest accepted it (ISO 8601). */
  ts: string;
  receivedAt: string;
  tripwire: boolean;
  prompt: boolean;
}

/** A hit as a `honey_hits` row, in `HIT_COLUMNS` order. */
export function hitRow(hit: WireHit, at: HitPlacement): unknown[] {
  return [
    at.orgId,
    hit.id,
    at.sessionId,
    at.site,
    hit.type,
    at.ts,
    at.receivedAt,
    hit.trap?.id ?? null,
    hit.trap?.type ?? null,
    hit.path,
    hit.ip,
    hit.token?.reach ?? null,
    at.tripwire ? 1 : 0,
    at.prompt ? 1 : 0,
    compactRecord(hit),
  ];
}

/**
 * The stored copy of a hit leaves out what the contract defaults anyway (nulls, empty lists, false):
 * most fields of most hits are empty, and the record is most of a row's size. `readRecord` restores them.
 */
export function compactRecord(hit: WireHit): string {
  return JSON.stringify(withoutEmpty(hit as unknown as Record<string, unknown>));
}

/** A copy without null, false and [] fields, nested objects too (a plain loop: a JSON.stringify replacer is slow). */
function withoutEmpty(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in object) {
    const value = object[key];
    if (value === null || value === false || value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) out[key] = value;
    } else if (typeof value === 'object') out[key] = withoutEmpty(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}
