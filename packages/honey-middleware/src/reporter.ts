import { HoneyReportError } from './errors.js';
import type { HitRecord } from './hits.js';
import type { ResolvedReporterOptions } from './options.js';
import { fetchTransport, nodeTransport, type Transport } from './transport.js';

/** Largest request body the ingest endpoint accepts (the contract's limit). */
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

export interface ReporterInit {
  /** Full URL of the ingest endpoint, `{endpoint}/api/v1/ingest`. */
  url: string;
  apiKey: string;
  options: ResolvedReporterOptions;
  userAgent: string;
  onError?: ((error: Error) => void) | undefined;
}

/** Counters, exact: `sent + dropped + rejected + abandoned + queued + inFlight` = hits enqueued. */
export interface ReporterStats {
  queued: number;
  inFlight: number;
  sent: number;
  duplicates: number;
  /** Dropped because the queue was full (oldest first). */
  dropped: number;
  /** Refused by the control plane with a 4xx other than 408/429; not retried. */
  rejected: number;
  /** Still undelivered when `close()` gave up. */
  abandoned: number;
  /** Failed attempts (each is also passed to `onError`). */
  failures: number;
}

/**
 * A queued hit, already serialised: a hit waits up to a flush interval, long enough for a queue of live
 * hit objects (each a small graph of objects) to be copied by young-generation collections into the old
 * one. One string per hit is less to copy and less memory per queued hit.
 */
interface QueuedHit {
  site: string;
  json: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref?.());

/** Retry-After as seconds or an HTTP date, in ms; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Sends hit records to the control plane in the background: a bounded queue (oldest dropped first),
 * batches by size or time, one request in flight, retries with exponential backoff and jitter, 429
 * `Retry-After` honoured. `enqueue` is O(1) and never throws, so the request path never waits on it.
 */
export class Reporter {
  readonly #init: ReporterInit;
  readonly #o: ResolvedReporterOptions;
  #queue: QueuedHit[] = [];
  #head = 0;
  #inFlight: QueuedHit[] = [];
  #timer: NodeJS.Timeout | undefined;
  #pumping: Promise<void> | null = null;
  #attempt = 0;
  #retryAt = 0;
  #closed = false;
  readonly #stats: ReporterStats = {
    queued: 0,
    inFlight: 0,
    sent: 0,
    duplicates: 0,
    dropped: 0,
    rejected: 0,
    abandoned: 0,
    failures: 0,
  };

  readonly #transport: Transport;

  constructor(init: ReporterInit) {
    this.#init = init;
    this.#o = init.options;
    this.#transport = init.options.fetch ? fetchTransport(init.options.fetch) : nodeTransport();
  }

  get #waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues a hit. Beyond `maxQueue` the oldest waiting hit is dropped and counted. */
  enqueue(hit: HitRecord): void {
    if (this.#closed) {
      this.#stats.abandoned++;
      return;
    }
    if (this.#waiting + this.#inFlight.length >= this.#o.maxQueue) {
      this.#head++;
      this.#stats.dropped++;
      this.#compact();
    }
    let json: string;
    try {
      json = JSON.stringify(hit);
    } catch (e) {
      // Only an `onHit` that put something unserialisable into the hit gets here.
      this.#stats.rejected++;
      this.#report(new HoneyReportError(`hit not serialisable: ${(e as Error).message}`, undefined, e));
      return;
    }
    this.#queue.push({ site: hit.site, json });
    if (this.#pumping) return;
    if (this.#waiting >= this.#o.batchSize && Date.now() >= this.#retryAt) this.#kick(0);
    else if (!this.#timer) this.#kick(Math.max(this.#o.flushIntervalMs, this.#retryAt - Date.now()));
  }

  /** Sends everything queued now; resolves when the queue is empty or a send failed (a retry is scheduled). */
  async flush(): Promise<void> {
    if (this.#pumping) await this.#pumping;
    if (this.#waiting > 0) await this.#pump(true);
  }

  /** Stops timers and delivers what is queued, retrying until `closeTimeoutMs`; then gives up and counts. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const deadline = Date.now() + this.#o.closeTimeoutMs;
    if (this.#pumping) await this.#pumping;
    while (this.#waiting > 0 && Date.now() < deadline) {
      const wait = this.#retryAt - Date.now();
      if (wait > 0) {
        if (Date.now() + wait >= deadline) break;
        await sleep(wait);
      }
      await this.#pump(true, deadline);
    }
    if (this.#waiting > 0) {
      const n = this.#waiting;
      this.#stats.abandoned += n;
      this.#queue = [];
      this.#head = 0;
      this.#report(new HoneyReportError(`reporter closed with ${n} undelivered hits`));
    }
    this.#transport.close();
  }

  stats(): ReporterStats {
    return { ...this.#stats, queued: this.#waiting, inFlight: this.#inFlight.length };
  }

  #kick(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#pump(false);
    }, delay);
    this.#timer.unref?.();
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #pump(all: boolean, deadline = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.#pumping) return this.#pumping;
    this.#pumping = (async () => {
      try {
        // Whole batches go out at once; a partial batch only when its timer fired or a flush asked.
        while (this.#waiting > 0 && Date.now() < deadline) {
          const ok = await this.#sendOne(deadline);
          if (!ok) return;
          if (!all && this.#waiting < this.#o.batchSize) break;
        }
      } finally {
        this.#pumping = null;
        if (!this.#closed && this.#waiting > 0 && !this.#timer) {
          this.#kick(
            Math.max(
              this.#waiting >= this.#o.batchSize ? 0 : this.#o.flushIntervalMs,
              this.#retryAt - Date.now(),
            ),
          );
        }
      }
    })();
    return this.#pumping;
  }

  /** Takes the next batch (same site, ≤ batchSize hits, ≤ 2 MiB) and sends it once. */
  async #sendOne(deadline: number): Promise<boolean> {
    const site = this.#queue[this.#head]!.site;
    const parts: string[] = [];
    let bytes = 32 + Buffer.byteLength(JSON.stringify(site));
    while (this.#waiting > 0 && parts.length < this.#o.batchSize) {
      const hit = this.#queue[this.#head]!;
      if (hit.site !== site) break;
      const size = Buffer.byteLength(hit.json) + 1;
      if (parts.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      parts.push(hit.json);
      this.#inFlight.push(hit);
      this.#head++;
    }
    this.#compact();
    const body = `{"site":${JSON.stringify(site)},"hits":[${parts.join(',')}]}`;
    const outcome = await this.#post(body, deadline);
    const batch = this.#inFlight;
    this.#inFlight = [];
    if (outcome.kind === 'ok') {
      this.#attempt = 0;
      this.#retryAt = 0;
      this.#stats.sent += batch.length;
      this.#stats.duplicates += outcome.duplicates;
      return true;
    }
    this.#stats.failures++;
    this.#report(outcome.error);
    if (outcome.kind === 'reject') {
      this.#stats.rejected += batch.length;
      return true;
    }
    // Retryable: the batch goes back to the front, still within the bound (it was counted in flight).
    this.#queue = batch.concat(this.#queue.slice(this.#head));
    this.#head = 0;
    this.#attempt++;
    const backoff = Math.min(this.#o.maxRetryDelayMs, this.#o.retryBaseMs * 2 ** (this.#attempt - 1));
    const jittered = backoff / 2 + Math.random() * (backoff / 2);
    const delay =
      outcome.retryAfter === null ? jittered : Math.min(outcome.retryAfter, this.#o.maxRetryDelayMs);
    this.#retryAt = Date.now() + delay;
    if (!this.#closed) this.#kick(delay);
    return false;
  }

  async #post(
    body: string,
    deadline: number,
  ): Promise<
    { kind: 'ok'; duplicates: number } | { kind: 'retry' | 'reject'; error: Error; retryAfter: number | null }
  > {
    const timeout = Math.max(1, Math.min(this.#o.timeoutMs, deadline - Date.now()));
    try {
      const { status, text, retryAfter } = await this.#transport.post(
        this.#init.url,
        {
          authorization: `Bearer ${this.#init.apiKey}`,
          'content-type': 'application/json',
          'user-agent': this.#init.userAgent,
        },
        body,
        timeout,
      );
      if (status >= 200 && status < 300) {
        let duplicates = 0;
        try {
          const parsed = JSON.parse(text) as { duplicates?: unknown; data?: { duplicates?: unknown } };
          const d = parsed.duplicates ?? parsed.data?.duplicates;
          if (typeof d === 'number') duplicates = d;
        } catch {
          // A 2xx without a readable body still means the hits were committed.
        }
        return { kind: 'ok', duplicates };
      }
      const error = new HoneyReportError(`ingest answered ${status}: ${text.slice(0, 200)}`, status);
      if (status === 429) return { kind: 'retry', error, retryAfter: parseRetryAfter(retryAfter) };
      if (status === 408 || status >= 500) return { kind: 'retry', error, retryAfter: null };
      return { kind: 'reject', error, retryAfter: null };
    } catch (cause) {
      return {
        kind: 'retry',
        error: new HoneyReportError(`ingest request failed: ${(cause as Error).message}`, undefined, cause),
        retryAfter: null,
      };
    }
  }

  #report(error: Error): void {
    try {
      this.#init.onError?.(error);
    } catch {
      // A throwing onError must not break delivery.
    }
  }
}
