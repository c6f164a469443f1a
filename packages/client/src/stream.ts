import { EventSource, type FetchLikeResponse } from 'eventsource';
import { ConnectionError, errorFromResponse, type LobsterError } from './errors.js';
import { buildUrl, type HttpClient, parseRetryAfter } from './http.js';
import { Inbox, RecentIds } from './inbox.js';
import type { LobsterEvent } from './types.js';

export interface StreamParams {
  /** Ends the stream (the loop finishes normally). */
  signal?: AbortSignal;
  /** Resume after this event: every later event is delivered, none before it. Default: only new events. */
  lastEventId?: string;
  /** Exact type (`trap.created`) or a prefix ending in `.` (`trap.`). */
  type?: string;
  /** ISO timestamp: start with the events since then (ignored when resuming from `lastEventId`). */
  since?: string;
}

/** How many recent ids are remembered to drop an event delivered twice across reconnects. */
const DEDUPE_WINDOW = 10_000;
const MAX_REOPEN_DELAY_MS = 30_000;

/**
 * EventSource only hands `message` events to a catch-all listener; the server names each event by its
 * type (`event: trap.created`), and the set of types is open. Every event passes through dispatchEvent,
 * so this subclass sees them all.
 */
class AnyEventSource extends EventSource {
  constructor(
    url: URL,
    init: ConstructorParameters<typeof EventSource>[1],
    private readonly onAny: (e: MessageEvent) => void,
  ) {
    super(url, init);
  }
  override dispatchEvent(event: Event): boolean {
    if (event instanceof MessageEvent) this.onAny(event);
    return super.dispatchEvent(event);
  }
}

/** Statuses worth opening a new connection for; anything else (401, 400 for a bad id, …) ends the stream. */
const reopenable = (e: LobsterError) => e.status === 0 || e.status === 429 || e.status >= 500;

/**
 * `GET /api/v1/events/stream` through `eventsource`: auth headers and our own Last-Event-ID go in through
 * its `fetch` option. EventSource reconnects by itself after a dropped connection or a network error; a
 * non-200 answer closes it for good, so we open a new one (with the last id) when the status is
 * temporary. Each event id is yielded once, even if a server replays one across a reconnect.
 */
export async function* streamEvents(
  http: HttpClient,
  params: StreamParams = {},
): AsyncGenerator<LobsterEvent> {
  const { signal } = params;
  if (signal?.aborted) return;
  const url = buildUrl(http.settings.baseUrl, '/api/v1/events/stream', {
    type: params.type,
    since: params.since,
  });
  const inbox = new Inbox<LobsterEvent>();
  const seen = new RecentIds(DEDUPE_WINDOW);
  let lastId = params.lastEventId ?? null;
  let source: AnyEventSource | null = null;
  let refusal: LobsterError | null = null;
  let reopenTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  const fetchWithAuth = async (
    input: string | URL,
    init: { headers: Record<string, string>; signal?: unknown },
  ): Promise<FetchLikeResponse> => {
    refusal = null;
    const headers: Record<string, string> = { ...init.headers, ...http.authHeaders() };
    if (lastId) headers['Last-Event-ID'] = lastId;
    const res = await http.settings.fetch(input, { ...(init as RequestInit), headers });
    if (res.status !== 200) {
      const text = await res.clone().text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: the status says enough
      }
      refusal = errorFromResponse(
        res.status,
        body,
        res.headers,
        parseRetryAfter(res.headers.get('retry-after')),
      );
    }
    return res;
  };

  const onMessage = (message: MessageEvent) => {
    let event: LobsterEvent;
    try {
      event = JSON.parse(String(message.data)) as LobsterEvent;
    } catch {
      return; // not one of our events
    }
    const id = message.lastEventId || event.id;
    if (!id || !seen.add(id)) return;
    lastId = id;
    failures = 0;
    inbox.push(event);
  };

  const open = () => {
    refusal = null;
    const es = new AnyEventSource(url, { fetch: fetchWithAuth }, onMessage);
    source = es;
    es.addEventListener('open', () => {
      failures = 0;
    });
    es.addEventListener('error', () => {
      // While CONNECTING, EventSource retries by itself; CLOSED means it gave up on a non-200 answer.
      if (es.readyState !== EventSource.CLOSED || signal?.aborted) return;
      const error =
        refusal ??
        new ConnectionError({
          status: 0,
          code: 'STREAM_FAILED',
          message: `The event stream at ${url.origin} failed`,
        });
      if (!reopenable(error)) return inbox.fail(error);
      const retryAfter = (error as { retryAfter?: number | null }).retryAfter;
      const delay =
        retryAfter != null ? retryAfter * 1000 : Math.min(MAX_REOPEN_DELAY_MS, 500 * 2 ** failures);
      failures++;
      reopenTimer = setTimeout(open, delay);
    });
  };

  const stop = () => {
    clearTimeout(reopenTimer);
    source?.close();
    inbox.close();
  };
  signal?.addEventListener('abort', stop, { once: true });
  open();
  try {
    for (;;) {
      const next = await inbox.take();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    stop();
  }
}
