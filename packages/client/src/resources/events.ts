import type { HttpClient, RequestOptions } from '../http.js';
import { type CursorPage, type ListPromise, listPromise } from '../pagination.js';
import { type EventListBody, type PollParams, pollEvents } from '../poll.js';
import { type StreamParams, streamEvents } from '../stream.js';
import type { LobsterEvent } from '../types.js';

export interface EventListParams {
  /** Page size, 1–100 (server default 20). */
  limit?: number;
  /** An event id: list the events older than it. */
  cursor?: string;
  /** Exact type (`trap.created`) or a prefix ending in `.` (`trap.`). */
  type?: string;
  /** ISO timestamps on `created_at`: `since` inclusive, `until` exclusive. */
  since?: string;
  until?: string;
}

/** `/api/v1/events`: the org's event log. */
export class Events {
  constructor(private readonly http: HttpClient) {}

  /** Newest first; iterate to walk back through the whole log. */
  list(
    params: EventListParams = {},
    options?: RequestOptions,
  ): ListPromise<LobsterEvent, CursorPage<LobsterEvent>> {
    return listPromise<LobsterEvent, CursorPage<LobsterEvent>, string>(
      async (cursor) => {
        const body = await this.http.request<EventListBody>(
          { method: 'GET', path: '/api/v1/events', query: { ...params, cursor: cursor ?? params.cursor } },
          options,
        );
        return { data: body.events, hasMore: body.has_more, nextCursor: body.next_cursor };
      },
      (page) => page.nextCursor,
    );
  }

  /**
   * New events, oldest first, by polling the list every `intervalMs`; runs until `signal` aborts.
   * @example for await (const e of client.events.poll({ signal })) console.log(e.type);
   */
  poll(params: PollParams = {}): AsyncIterable<LobsterEvent> {
    return { [Symbol.asyncIterator]: () => pollEvents(this.http, params) };
  }

  /**
   * New events over Server-Sent Events, reconnecting with `Last-Event-ID`; each event once. Runs until
   * `signal` aborts; throws a LobsterError when the server refuses the stream for good (e.g. a bad key).
   * @example for await (const e of client.events.stream({ signal })) console.log(e.type);
   */
  stream(params: StreamParams = {}): AsyncIterable<LobsterEvent> {
    return { [Symbol.asyncIterator]: () => streamEvents(this.http, params) };
  }
}
