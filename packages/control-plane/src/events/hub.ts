import type { ServerResponse } from 'node:http';
import type { Context } from 'koa';
import pg from 'pg';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EntitySubscriberInterface } from 'typeorm';
import { type Principal, rateLimitBucket } from '../auth/principal.js';
import { parseDatabaseUrl } from '../db/data-source.js';
import type { Database } from '../db/database.js';
import { ApiError, ServiceUnavailable } from '../http/errors.js';
import { takeEventsWritten } from './log.js';
import {
  type EventFilter,
  type EventReader,
  keyAfter,
  LOG_START,
  type LogEvent,
  type LogKey,
  matches,
} from './reader.js';

export interface StreamOptions {
  /** A `:` comment on every open stream this often (default 15,000 ms). */
  heartbeatMs: number;
  /** Concurrent streams per API key or JWT subject (default 5); one more is a 429. */
  maxStreamsPerKey: number;
  /** A live stream whose unsent bytes pass this is cut (default 1 MiB); the client resumes from its last id. */
  maxBufferedBytes: number;
  /** Re-read the log this often even without a wake-up (default 2,000 ms). */
  pollMs: number;
  /** The `retry:` a client waits before reconnecting (default 1,000 ms). */
  retryMs: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  heartbeatMs: 15_000,
  maxStreamsPerKey: 5,
  maxBufferedBytes: 1024 * 1024,
  pollMs: 2_000,
  retryMs: 1_000,
};

class TooManyStreams extends ApiError {
  constructor(max: number) {
    super(
      429,
      'TOO_MANY_STREAMS',
      `At most ${max} concurrent event streams per key; close one before opening another`,
      { 'Retry-After': '1' },
    );
  }
}

const TAIL_BATCH = 1_000;
const CATCH_UP_PAGE = 500;
/** How soon to look again when committed events wait behind an older, still open transaction. */
const BLOCKED_RETRY_MS = 5;

/** The events of one SSE connection, in log order, each exactly once. */
class EventStream {
  /** Everything up to here has been considered for this stream (sent or filtered out). */
  position: LogKey;
  /** Tail batches that arrive while the stream catches up from the database; replayed when it is done. */
  private pending: LogEvent[][] | null = null;
  private closed = false;

  constructor(
    private readonly hub: EventHub,
    readonly res: ServerResponse,
    readonly bucket: string,
    readonly filter: EventFilter,
    start: LogKey,
  ) {
    this.position = start;
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Reads from the database until it reaches the shared tail, then takes the tail's batches. */
  async catchUp(): Promise<void> {
    for (;;) {
      // Batches from here on cover everything after `reached`; the query below sees everything up to it.
      const reached = this.hub.tailPosition;
      this.pending = [];
      const events = await this.hub.reader.settledAfter(this.filter, this.position, CATCH_UP_PAGE);
      for (const e of events) {
        if (this.closed) return;
        this.position = e.key;
        // A catching-up reader is paced by its socket rather than cut: we are the ones pulling.
        if (!this.res.write(frame(e))) await drained(this.res);
      }
      if (this.closed) return;
      if (events.length < CATCH_UP_PAGE) {
        if (keyAfter(reached, this.position)) this.position = reached;
        const pending = this.pending;
        this.pending = null;
        for (const batch of pending) this.deliver(batch);
        return;
      }
    }
  }

  deliver(batch: LogEvent[]): void {
    if (this.closed) return;
    if (this.pending) {
      this.pending.push(batch);
      return;
    }
    for (const e of batch) {
      if (!keyAfter(e.key, this.position)) continue;
      this.position = e.key;
      if (e.orgId === this.filter.orgId && matches(this.filter, e)) this.send(frame(e));
    }
  }

  /** Live writes never wait: past the bound the reader is too slow and is cut off. */
  send(chunk: string): void {
    if (this.closed) return;
    this.res.write(chunk);
    if (this.res.writableLength > this.hub.options.maxBufferedBytes) {
      this.closed = true;
      this.hub.cut();
      this.res.destroy();
    }
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }

  markClosed(): void {
    this.closed = true;
  }
}

const frames = new WeakMap<LogEvent, string>();

/**
 * One SSE frame per event: `id`, `event` (the type) and `data` (the event's JSON, one line). Rendered
 * once per event however many streams it goes to.
 */
function frame(e: LogEvent): string {
  let text = frames.get(e);
  if (text === undefined) {
    text = `id: ${e.event.id}\nevent: ${e.event.type}\ndata: ${JSON.stringify(e.event)}\n\n`;
    frames.set(e, text);
  }
  return text;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Fans the log out to this instance's SSE streams. One shared tail reads every new settled event once
 * per wake-up and hands the batch to each live stream, so a thousand streams cost one query. Wake-ups
 * come from commits in this process (a TypeORM subscriber), from PostgreSQL NOTIFY for commits on other
 * instances, and from a poll as the fallback; none carries data: the log is always re-read.
 */
export class EventHub {
  readonly options: StreamOptions;
  private readonly streams = new Set<EventStream>();
  private readonly perBucket = new Map<string, number>();
  private tail: LogKey | null = null;
  private starting: Promise<void> | null = null;
  private fetching = false;
  private again = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly poll: NodeJS.Timeout;
  private listener: pg.Client | null = null;
  private listenerRetry: NodeJS.Timeout | null = null;
  private readonly openGauge: Gauge;
  private readonly cutCounter: Counter;

  constructor(
    private readonly db: Database,
    readonly reader: EventReader,
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    registry: Registry,
    options: Partial<StreamOptions> = {},
  ) {
    this.options = { ...DEFAULT_STREAM_OPTIONS, ...options };
    this.openGauge = new Gauge({
      name: 'lobster_event_streams_open',
      help: 'Open SSE event streams on this instance',
      registers: [registry],
    });
    this.cutCounter = new Counter({
      name: 'lobster_event_streams_cut_total',
      help: 'SSE event streams cut off because the reader fell too far behind',
      registers: [registry],
    });
    const hub = this;
    db.dataSource.subscribers.push({
      afterTransactionCommit(event) {
        if (takeEventsWritten(event.queryRunner)) hub.wake();
      },
      afterTransactionRollback(event) {
        takeEventsWritten(event.queryRunner);
      },
    } satisfies EntitySubscriberInterface);
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) s.send(': heartbeat\n\n');
    }, this.options.heartbeatMs);
    this.poll = setInterval(() => this.wake(), this.options.pollMs);
    this.heartbeat.unref();
    this.poll.unref();
  }

  get tailPosition(): LogKey {
    return this.tail ?? LOG_START;
  }

  cut(): void {
    this.cutCounter.inc();
  }

  /** The tail starts at the settled end of the log the first time a stream opens. */
  private ready(): Promise<void> {
    this.starting ??= (async () => {
      this.tail = await this.reader.settledEnd();
      if (this.db.dialect === 'postgres') this.listen();
    })();
    return this.starting;
  }

  private listen(): void {
    if (this.closed) return;
    const target = parseDatabaseUrl(this.databaseUrl);
    const channel = `lobster_events:${target.schema ?? 'public'}`;
    const client = new pg.Client({ connectionString: (target.options as { url: string }).url });
    this.listener = client;
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => {});
      if (this.closed) return;
      this.listenerRetry = setTimeout(() => this.listen(), 1_000);
      this.listenerRetry.unref();
    };
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      this.logger.warn({ err }, 'event LISTEN connection failed; retrying');
      retry();
    });
    client.on('end', retry);
    client
      .connect()
      .then(() => client.query(`LISTEN "${channel.replace(/"/g, '""')}"`))
      // Anything committed while we were not listening is picked up by reading the log now.
      .then(() => this.wake())
      .catch((err) => {
        this.logger.warn({ err }, 'event LISTEN failed; retrying');
        retry();
      });
  }

  /** Reads the log past the tail and hands each batch to every stream. Calls while reading coalesce. */
  wake(): void {
    // Once started the tail keeps up even without streams, so a stream opened later starts at "now".
    if (this.closed || this.tail === null) return;
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    void this.fetch().finally(() => {
      this.fetching = false;
    });
  }

  private async fetch(): Promise<void> {
    try {
      do {
        this.again = false;
        const { events, blocked } = await this.reader.tail(this.tail ?? LOG_START, TAIL_BATCH);
        if (this.closed) return;
        if (events.length > 0) {
          this.tail = (events.at(-1) as LogEvent).key;
          for (const s of this.streams) s.deliver(events);
        }
        if (events.length === TAIL_BATCH) this.again = true;
        if (blocked && !this.retryTimer) {
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            this.wake();
          }, BLOCKED_RETRY_MS);
        }
      } while (this.again && !this.closed);
    } catch (err) {
      if (!this.closed) this.logger.error({ err }, 'reading the event log for streams failed');
    }
  }

  /**
   * Opens an SSE response on `ctx`: refuses past the per-key cap, then takes over the socket. `start`
   * null means "now"; otherwise the stream replays everything after it first.
   */
  async open(ctx: Context, principal: Principal, filter: EventFilter, start: LogKey | null): Promise<void> {
    if (this.closed) throw new ServiceUnavailable('The server is shutting down');
    const bucket = rateLimitBucket(principal);
    const count = this.perBucket.get(bucket) ?? 0;
    if (count >= this.options.maxStreamsPerKey) throw new TooManyStreams(this.options.maxStreamsPerKey);
    this.perBucket.set(bucket, count + 1);
    const res = ctx.res;
    let stream: EventStream | null = null;
    const release = () => {
      const n = (this.perBucket.get(bucket) ?? 1) - 1;
      if (n > 0) this.perBucket.set(bucket, n);
      else this.perBucket.delete(bucket);
      if (stream) {
        stream.markClosed();
        this.streams.delete(stream);
        this.openGauge.dec();
      }
    };
    try {
      await this.ready();
    } catch (err) {
      release();
      throw err;
    }
    if (res.destroyed || this.closed) {
      release();
      if (this.closed) throw new ServiceUnavailable('The server is shutting down');
      return;
    }
    res.once('close', release);

    ctx.status = 200;
    ctx.respond = false;
    // From here the socket is ours: a client that drops its stream mid-write is normal, not a server error
    // for Koa to print.
    ctx.onerror = () => {};
    res.writeHead(200, {
      ...ctx.response.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    ctx.req.socket.setNoDelay(true);
    res.write(`retry: ${this.options.retryMs}\n\n`);

    stream = new EventStream(this, res, bucket, filter, start ?? this.tailPosition);
    this.streams.add(stream);
    this.openGauge.inc();
    if (start !== null) {
      const s = stream;
      s.catchUp().catch((err) => {
        if (s.open) {
          this.logger.error({ err }, 'catching an event stream up failed');
          res.destroy();
        }
      });
    }
  }

  /** Ends every stream (cleanly: the response completes), stops listening and polling. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.poll);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.listenerRetry) clearTimeout(this.listenerRetry);
    for (const s of this.streams) s.end();
    const listener = this.listener;
    this.listener = null;
    await this.starting?.catch(() => {});
    await listener?.end().catch(() => {});
    // A tail read in flight finishes before the database closes.
    while (this.fetching) await new Promise((r) => setTimeout(r, 5));
  }
}
