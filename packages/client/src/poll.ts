import { ApiError, ConnectionError } from './errors.js';
import type { HttpClient } from './http.js';
import type { LobsterEvent } from './types.js';

export interface PollParams {
  /** Start after this event id; default: only events that appear after polling starts. */
  cursor?: string;
  /** Pause between polls, in ms (default 2000). */
  intervalMs?: number;
  /** Ends polling (the loop finishes normally). */
  signal?: AbortSignal;
  /** Exact type (`trap.created`) or a prefix ending in `.` (`trap.`). */
  type?: string;
}

export interface EventListBody {
  events: LobsterEvent[];
  has_more: boolean;
  next_cursor: string | null;
}

const PAGE = 100;
/** Walks back no further than this before the last event's time, allowing for clocks of several instances. */
const CLOCK_SKEW_MS = 5 * 60_000;

const matches = (type: string | undefined, event: LobsterEvent) =>
  !type || (type.endsWith('.') ? event.type.startsWith(type) : event.type === type);

/** Temporary failures do not end a poll that is meant to run forever; the next round tries again. */
const temporary = (e: unknown) =>
  ConnectionError.is(e) || (ApiError.is(e) && (e.status === 429 || e.status >= 500));

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Follows the event log forward with `GET /api/v1/events`, which lists newest first: each round reads back
 * from the newest event until it reaches the last one it yielded, then yields what it found oldest first.
 * The whole log is read unfiltered and `type` is applied here, so the position is always an event the
 * round will meet, whatever its type.
 */
export async function* pollEvents(http: HttpClient, params: PollParams = {}): AsyncGenerator<LobsterEvent> {
  const { signal } = params;
  const intervalMs = params.intervalMs ?? 2_000;
  const list = (query: Record<string, string | number | undefined>) =>
    http.request<EventListBody>({ method: 'GET', path: '/api/v1/events', query }, signal ? { signal } : {});

  // The position: the last event seen. `createdAt` bounds each round's walk once it is known.
  let position: { id: string; createdAt: string | null } | null = null;
  try {
    if (params.cursor) {
      await list({ cursor: params.cursor, limit: 1 }); // a 400 now if the id is not one of the org's events
      position = { id: params.cursor, createdAt: null };
    } else {
      const newest = (await list({ limit: 1 })).events[0];
      position = newest ? { id: newest.id, createdAt: newest.created_at } : null;
    }
  } catch (err) {
    if (signal?.aborted) return;
    throw err;
  }

  while (!signal?.aborted) {
    let fresh: LobsterEvent[];
    try {
      fresh = await readSince(list, position);
    } catch (err) {
      if (signal?.aborted) return;
      if (!temporary(err)) throw err;
      fresh = [];
    }
    for (const event of fresh) {
      position = { id: event.id, createdAt: event.created_at };
      if (matches(params.type, event)) yield event;
      if (signal?.aborted) return;
    }
    await sleep(intervalMs, signal);
  }
}

/** The events after `position`, oldest first. */
async function readSince(
  list: (query: Record<string, string | number | undefined>) => Promise<EventListBody>,
  position: { id: string; createdAt: string | null } | null,
): Promise<LobsterEvent[]> {
  const since = position?.createdAt
    ? new Date(Date.parse(position.createdAt) - CLOCK_SKEW_MS).toISOString()
    : undefined;
  const fresh: LobsterEvent[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list({ limit: PAGE, cursor, since });
    for (const event of page.events) {
      if (event.id === position?.id) return fresh.reverse();
      fresh.push(event);
    }
    if (!page.has_more || !page.next_cursor) return fresh.reverse();
    cursor = page.next_cursor;
  }
}
