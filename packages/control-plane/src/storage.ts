/**
 * `@lobster/control-plane/storage`: how LobsterHoney's hits and sessions lie in their tables, for tools
 * that write those tables directly (the benchmarks in `bench/` seed histories and measure the write floor
 * with exactly the rows and statements ingest uses). Not needed to run or embed the control plane.
 */
export { type ColumnType, insertRows, updateRows } from './db/database.js';
export { compactRecord, HIT_COLUMNS, type HitPlacement, hitRow } from './honey/hit-row.js';
export {
  type NewSession,
  newSessionRow,
  SESSION_COLUMN_TYPES,
  SESSION_COLUMNS,
  SESSION_UPDATE_COLUMN_TYPES,
  type SessionRow,
  sessionToUpdate,
  sessionToValues,
} from './honey/session-row.js';
