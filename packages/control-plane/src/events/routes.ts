import type Router from '@koa/router';
import { z } from 'zod';
import { requirePermission } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { parseQuery } from '../http/validate.js';
import type { EventHub } from './hub.js';
import type { EventFilter, EventReader, LogEvent } from './reader.js';

const type = z
  .string()
  .max(100)
  .regex(
    /^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$/,
    'expected an event type such as "trap.created", or a prefix such as "cage."',
  );
const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());
const cursor = z.string().min(1).max(200);
const limit = z.coerce.number().int().min(1).max(100).default(20);

const listQuery = z
  .object({
    limit,
    cursor: cursor.optional(),
    type: type.optional(),
    since: instant.optional(),
    until: instant.optional(),
  })
  .strict();
const streamQuery = z
  .object({ cursor: cursor.optional(), type: type.optional(), since: instant.optional() })
  .strict();

interface Paged {
  items: LogEvent[];
  hasMore: boolean;
  nextCursor: string | null;
}

/** `limit + 1` rows → the page, whether there is more, and the cursor (the page's oldest event id). */
function toPaged(rows: LogEvent[], pageSize: number): Paged {
  const items = rows.slice(0, pageSize);
  const hasMore = rows.length > pageSize;
  return { items, hasMore, nextCursor: hasMore ? (items.at(-1)?.event.id ?? null) : null };
}

/**
 * `GET /api/v1/events` (LobsterHoney surface, the seed's bare `{events, has_more, next_cursor}`),
 * `GET /api/v1/events/stream` (SSE) and `GET /v1/cages/:id/events` (LobsterCage surface). Read scope.
 */
export function eventRoutes(router: Router, reader: EventReader, hub: EventHub): void {
  const read = requirePermission('read');

  const list = async (filter: EventFilter, cursorId: string | undefined, pageSize: number) => {
    const before = cursorId ? await reader.keyOf(filter.orgId, cursorId, 'cursor') : null;
    return toPaged(await reader.page(filter, before, pageSize), pageSize);
  };

  router.get('/api/v1/events', read, async (ctx) => {
    const q = parseQuery(ctx, listQuery);
    const { orgId } = ctx.state.principal as Principal;
    const page = await list({ orgId, type: q.type, since: q.since, until: q.until }, q.cursor, q.limit);
    ctx.body = {
      events: page.items.map((e) => e.event),
      has_more: page.hasMore,
      next_cursor: page.nextCursor,
    };
  });

  router.get('/api/v1/events/stream', read, async (ctx) => {
    const q = parseQuery(ctx, streamQuery);
    const principal = ctx.state.principal as Principal;
    const filter: EventFilter = { orgId: principal.orgId, type: q.type, since: q.since };
    // A reconnecting EventSource sends Last-Event-ID; it is newer than the cursor it first opened with.
    const lastEventId = ctx.get('Last-Event-ID');
    let start = null;
    if (lastEventId) start = await reader.keyOf(principal.orgId, lastEventId, 'Last-Event-ID');
    else if (q.cursor) start = await reader.keyOf(principal.orgId, q.cursor, 'cursor');
    else if (q.since) start = { txid: 0n, seq: 0 };
    await hub.open(ctx, principal, filter, start);
  });

  // Until cages exist no event carries a cage id, so every id (known or not) lists empty.
  router.get('/v1/cages/:id/events', read, async (ctx) => {
    const q = parseQuery(ctx, listQuery);
    const { orgId } = ctx.state.principal as Principal;
    const filter = { orgId, cageId: ctx.params.id as string, type: q.type, since: q.since, until: q.until };
    const page = await list(filter, q.cursor, q.limit);
    ctx.body = {
      data: page.items.map(({ event }) => ({
        id: event.id,
        type: event.type,
        apiVersion: event.api_version,
        createdAt: event.created_at,
        data: event.data,
      })),
      hasMore: page.hasMore,
      nextCursor: page.nextCursor,
    };
  });
}
